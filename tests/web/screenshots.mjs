// Writes PNGs of the workbench's main pages to docs/screenshots/, from a
// seeded server (harness.mjs), at 1280x800 and on a tablet (768x1024).
//   node tests/web/screenshots.mjs        (SOCLE_BIN: the socle to run)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, login, startSocle } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '../../docs/screenshots');
mkdirSync(out, { recursive: true });

const socle = await startSocle();
const browser = await launchBrowser();
try {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await desk.newPage();
  const shot = async (name, p = page) => {
    await p.screenshot({ path: path.join(out, name), fullPage: false });
    console.log('wrote docs/screenshots/' + name);
  };
  await page.goto(socle.url + '/connexion');
  await shot('connexion.png');
  await login(page, socle.url, 'iv');
  await page.goto(socle.url + '/recherche?nom=TEST');
  await shot('recherche.png');
  await page.goto(socle.url + '/doublons');
  await shot('doublons.png');
  await page.getByRole('link', { name: /Comparer/ }).first().click();
  await shot('doublon-comparaison.png');
  await page.locator('h2#explication').scrollIntoViewIfNeeded();
  await shot('doublon-explication.png');
  await page.goto(socle.url + '/recherche?nom=TESTFUSION');
  await page.locator('#resultats a').first().click();
  await page.waitForSelector('h2#historique');
  await shot('fiche-identite.png');
  await page.locator('h2#fusions').scrollIntoViewIfNeeded();
  await shot('fiche-fusions.png');
  await page.goto(socle.url + '/recherche?nda=V100');
  await page.locator('#resultats a').first().click();
  await page.locator('h2#sejours').scrollIntoViewIfNeeded();
  await shot('fiche-sejours.png');

  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p2 = await other.newPage();
  await login(p2, socle.url, 'accueil2');
  await p2.goto(page.url());
  await shot('acces-refuse.png', p2);

  const tablet = await browser.newContext({ viewport: { width: 768, height: 1024 } });
  const p3 = await tablet.newPage();
  await login(p3, socle.url, 'accueil1');
  await p3.goto(socle.url + '/recherche?nom=TESTWEB');
  await shot('recherche-tablette.png', p3);
} finally {
  await browser.close();
  await socle.stop();
}
