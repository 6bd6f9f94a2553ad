// The identity-vigilance workbench as a person uses it: headless Debian
// chromium driving a real `socle serve` (see harness.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, login, startSocle } from './harness.mjs';

let socle;
let browser;

before(async () => {
  socle = await startSocle();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (socle) await socle.stop();
});

async function session(who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  if (who) await login(page, socle.url, who);
  return { context, page };
}

async function search(page, fields) {
  await page.goto(socle.url + '/recherche');
  // By the fields' ids: their labels carry hints ("Nom de naissance ou utilisé").
  for (const [id, value] of Object.entries(fields)) {
    await page.locator('#' + id).fill(value);
  }
  await page.getByRole('button', { name: 'Rechercher' }).click();
}

describe('connexion', () => {
  test('a wrong password is refused, the right one opens the workbench', async () => {
    const { context, page } = await session(null);
    await login(page, socle.url, 'iv', 'Mauvais-mot-2-passe');
    await assert.doesNotReject(page.getByText('Identifiant ou mot de passe incorrect.').waitFor());
    await login(page, socle.url, 'iv');
    await page.getByRole('heading', { name: 'Accueil' }).waitFor();
    assert.equal(await page.locator('header .user').textContent(), 'iv');
    assert.equal(await page.locator('header .role').textContent(), 'Identitovigilant');
    // Keyboard: the skip link is the first stop and leads to the main content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Aller au contenu');
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await page.goto(socle.url + '/recherche');
    assert.match(page.url(), /\/connexion\?suite=\/recherche$/);
    await context.close();
  });

  test('five failures lock the account', async () => {
    const { context, page } = await session(null);
    for (let i = 0; i < 5; i++) await login(page, socle.url, 'verrou', 'Mauvais-mot-2-passe');
    await page.getByText('Compte verrouillé').waitFor();
    await login(page, socle.url, 'verrou');
    await page.getByText('Compte verrouillé').waitFor();
    assert.match(page.url(), /\/connexion$/);
    await context.close();
  });
});

describe('recherche et fiche identité', () => {
  test('search by traits, open the record', async () => {
    const { context, page } = await session('iv');
    await search(page, { nom: 'testweb', prenom: 'ali' });
    const row = page.locator('#resultats tbody tr');
    assert.equal(await row.count(), 1);
    await assert.doesNotReject(row.getByText('Provisoire').waitFor());
    await row.getByRole('link', { name: 'TESTWEB' }).click();
    await page.getByRole('heading', { name: 'TESTWEB ALICE CLAIRE' }).waitFor();
    await page.getByRole('heading', { name: 'Identités locales (IPP par établissement)' }).waitFor();
    assert.ok(await page.getByRole('cell', { name: 'IPP1', exact: true }).isVisible());
    await page.getByRole('heading', { name: 'Historique' }).waitFor();
    assert.ok(await page.getByText("Création de l'identité locale").first().isVisible());
    await context.close();
  });

  test('phonetic search finds a name spelled otherwise', async () => {
    const { context, page } = await session('iv');
    await search(page, { nom: 'TAISTWEB' });
    await page.getByText('Aucun patient ne correspond.').waitFor();
    await page.locator('#nom').fill('TAISTWEB');
    await page.getByLabel('Recherche phonétique du nom').check();
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.locator('#resultats').getByRole('link', { name: 'TESTWEB' }).waitFor();
    await context.close();
  });

  test('search by IPP and by NDA; stays and movements on the record', async () => {
    const { context, page } = await session('iv');
    await search(page, { ipp: 'IPP2' });
    assert.equal(await page.locator('#resultats tbody tr').count(), 1);
    await search(page, { nda: 'V100' });
    await page.locator('#resultats').getByRole('link', { name: 'TESTDUPONT' }).click();
    await page.getByRole('heading', { name: 'Séjours et mouvements' }).waitFor();
    assert.ok(await page.getByText('NDA V100').isVisible());
    assert.ok(await page.getByRole('cell', { name: 'A01' }).isVisible());
    await context.close();
  });

  test('an accueil account of one EJ cannot see another EJ\'s patient', async () => {
    const iv = await session('iv');
    await search(iv.page, { nom: 'TESTWEB' });
    const href = await iv.page.locator('#resultats a').first().getAttribute('href');
    await iv.context.close();

    const other = await session('accueil2');
    await search(other.page, { nom: 'TESTWEB' });
    await other.page.getByText('Aucun patient ne correspond.').waitFor();
    const resp = await other.page.goto(socle.url + href);
    assert.equal(resp.status(), 403);
    await other.page.getByRole('heading', { name: 'Accès refusé' }).waitFor();
    assert.equal(await other.page.getByText('TESTWEB').count(), 0);
    await other.context.close();

    const own = await session('accueil1');
    const ok = await own.page.goto(socle.url + href);
    assert.equal(ok.status(), 200);
    await own.context.close();
  });
});

describe('doublons et fusions', () => {
  test('review a duplicate, merge it, then unmerge it', async () => {
    const { context, page } = await session('iv');
    await page.goto(socle.url + '/');
    await page.getByRole('navigation').getByRole('link', { name: 'Doublons potentiels' }).click();
    const rows = page.locator('#doublons tbody tr');
    assert.equal(await rows.count(), 1);
    assert.ok(await rows.getByText('LOMBARD-TEST HUGO').first().isVisible());
    await rows.getByRole('link', { name: /Comparer/ }).click();
    // Side by side: the birth dates differ and are marked so; the names do not.
    const birth = page.locator('#comparaison tr', { hasText: 'Date de naissance' });
    assert.ok(await birth.getByText('différent').isVisible());
    assert.ok(await birth.getByText('04/03/1960').isVisible());
    assert.ok(await birth.getByText('18/11/1960').isVisible());
    const name = page.locator('#comparaison tr', { hasText: 'Nom de naissance' });
    assert.equal(await name.getByText('différent').count(), 0);
    await page.getByRole('heading', { name: 'Explication du moteur' }).waitFor();
    assert.ok(await page.getByRole('cell', { name: 'même année' }).isVisible());
    await page.getByLabel('Commentaire').fill('Même patient : date mal saisie (test)');
    await page.getByRole('button', { name: 'Fusionner' }).click();
    await page.getByText('Les deux identités ont été fusionnées').waitFor();
    assert.equal(await page.locator('#doublons tbody tr').count(), 0, 'decided: off the queue');

    await search(page, { nom: 'LOMBARD-TEST' });
    assert.equal(await page.locator('#resultats tbody tr').count(), 1, 'merged: one patient');
    await page.locator('#resultats a').first().click();
    const merges = page.locator('h2#fusions + div table');
    assert.equal(await merges.locator('tbody tr').count(), 1);
    await merges.getByLabel('Motif').fill('Deux patients distincts finalement (test)');
    page.once('dialog', (d) => d.accept());
    await merges.getByRole('button', { name: 'Défusionner' }).click();
    await page.getByText('La fusion a été annulée').waitFor();
    await merges.getByText('Défusionnée le').waitFor();
    await search(page, { nom: 'LOMBARD-TEST' });
    assert.equal(await page.locator('#resultats tbody tr').count(), 2, 'two patients again');
    await context.close();
  });

  test('an accueil account has no access to the review queue', async () => {
    const { context, page } = await session('accueil1');
    const resp = await page.goto(socle.url + '/doublons');
    assert.equal(resp.status(), 403);
    assert.equal(await page.getByRole('link', { name: 'Doublons potentiels' }).count(), 0);
    await context.close();
  });
});

describe('CSRF', () => {
  test('a forged POST without the CSRF token is refused', async () => {
    const { context, page } = await session('iv');
    await page.goto(socle.url + '/');
    const status = await page.evaluate(async () => {
      const r = await fetch('/deconnexion', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'x=1',
      });
      return r.status;
    });
    assert.equal(status, 403);
    // The session is still there: the forged request changed nothing.
    await page.goto(socle.url + '/recherche');
    await page.getByRole('heading', { name: 'Recherche patient' }).waitFor();
    await context.close();
  });
});
