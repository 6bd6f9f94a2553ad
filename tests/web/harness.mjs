// What the browser tests and the screenshot script share: a data dir with
// two establishments, accounts made with `socle user add`, a real
// `socle serve`, patients fed over MLLP, and headless Debian chromium.
// Every patient is invented.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOCLE = process.env.SOCLE_BIN || path.join(here, '../../build/socle');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'Correct-Cheval-9';
const EJ1_OID = '1.2.250.1.999.1';
const EJ2_OID = '1.2.250.1.999.2';
const INS_OID = 'ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS';
const INS_PAUL = '184127505612355';

const STRUCTURES = `kind,code,label,parent_code,finess,oid,valid_from,valid_to
EJ,EJ1,CHU de Test,,750712184,${EJ1_OID},,
EG,EG1,Site principal,EJ1,750000010,,2020-01-01,
UF,UF-1,Cardiologie,EG1,,,,
EJ,EJ2,CH Deux,,750712192,${EJ2_OID},,
`;

export const USERS = [
  ['iv', 'identitovigilant', null],
  ['accueil1', 'accueil', '750712184'],
  ['accueil2', 'accueil', '750712192'],
  ['verrou', 'lecteur', null],
  ['dpo', 'dpo', null],
];

function msg(control, type, pid, extra = '') {
  return `MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||${type}|${control}|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8\r` +
    `EVN||20260110120000\rPID|1||${pid}\rPV1|1|N\r${extra}`;
}

// Alice and Jean at EJ1; Bob at EJ2; Paul at both, qualified; Hugo at both,
// a pair for the review queue; an admission for Jean.
const MESSAGES = [
  msg('S1', 'ADT^A28^ADT_A05', `IPP1^^^HOP&${EJ1_OID}&ISO^PI||TESTWEB^ALICE^ALICE CLAIRE^^Mme^^L||19850715|F|||^^^^^^BDL^^75056`),
  msg('S2', 'ADT^A28^ADT_A05', `IPP2^^^HOP&${EJ1_OID}&ISO^PI||TESTDUPONT^JEAN^JEAN^^M.^^L||19700101|M`),
  msg('S3', 'ADT^A28^ADT_A05', `B-9^^^CHD&${EJ2_OID}&ISO^PI||TESTAUTRE^BOB^BOB^^M.^^L||19600202|M`),
  msg('S4', 'ADT^A28^ADT_A05', `B-10^^^CHD&${EJ2_OID}&ISO^PI~${INS_PAUL}^^^${INS_OID}||TESTFUSION^PAUL^PAUL^^M.^^L||19841201|M|||^^^^^^BDL^^75056|||||||||||||||||||||VALI`),
  msg('S5', 'ADT^A28^ADT_A05', `IPP5^^^HOP&${EJ1_OID}&ISO^PI||TESTFUSION^PAUL^PAUL^^M.^^L||19841201|M|||^^^^^^BDL^^75056`),
  msg('S6', 'ADT^A31^ADT_A05', `IPP5^^^HOP&${EJ1_OID}&ISO^PI~${INS_PAUL}^^^${INS_OID}||TESTFUSION^PAUL^PAUL^^M.^^L||19841201|M|||^^^^^^BDL^^75056|||||||||||||||||||||VALI`),
  // Same names, same birth year, another day and month: the matching
  // engine is unsure and opens a review task.
  msg('S8', 'ADT^A28^ADT_A05', `IPP8^^^HOP&${EJ1_OID}&ISO^PI||LOMBARD-TEST^HUGO^HUGO^^M.^^L||19600304|M`),
  msg('S9', 'ADT^A28^ADT_A05', `B-11^^^CHD&${EJ2_OID}&ISO^PI||LOMBARD-TEST^HUGO^HUGO^^M.^^L||19601118|M`),
  'MSH|^~\\&|GAM|HOP|SOCLE|GHT|20260110120000||ADT^A01^ADT_A01|S7|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8\r' +
    'EVN||20260110120000\r' +
    `PID|1||IPP2^^^HOP&${EJ1_OID}&ISO^PI||TESTDUPONT^JEAN^JEAN^^M.^^L||19700101|M||||||||||V100\r` +
    `PV1|1|I|UF-1||||||||||||||||V100^^^HOP&${EJ1_OID}&ISO^VN\r` +
    `ZBE|M1^GAM^${EJ1_OID}.9^ISO|20260110080000||INSERT|N||^^^^^^UF^^^UF-1||HMS\r`,
];

function sendMllp(port, text) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.setTimeout(20000, () => { sock.destroy(); reject(new Error('MLLP timeout')); });
    sock.on('connect', () => sock.write(Buffer.concat([
      Buffer.from([0x0b]), Buffer.from(text, 'utf8'), Buffer.from([0x1c, 0x0d])])));
    sock.on('data', (d) => {
      got += d.toString('utf8');
      if (got.includes('\x1c\r')) { sock.end(); resolve(got); }
    });
    sock.on('error', reject);
  });
}

function socle(args, input) {
  return execFileSync(SOCLE, args, {
    input, env: { ...process.env, SOCLE_ARGON2_TEST: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
}

// Start a seeded server; returns { url, stop() }.
export async function startSocle() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'socle-web-'));
  const data = path.join(root, 'data');
  const csv = path.join(root, 'structures.csv');
  writeFileSync(csv, STRUCTURES);
  socle(['import', 'structures', '--data', data, csv]);
  for (const [login, role, ej] of USERS) {
    const args = ['user', 'add', '--data', data, '--login', login, '--role', role];
    if (ej) args.push('--ej', ej);
    socle(args, PASSWORD + '\n');
  }
  const child = spawn(SOCLE, ['serve', '--data', data, '--http', '0', '--mllp', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errText = '';
  child.stderr.on('data', (d) => { errText += d; });
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socle serve did not start: ' + errText)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const h = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      const m = out.match(/mllp listening on 127\.0\.0\.1:(\d+)/);
      if (h && m) { clearTimeout(timer); resolve({ http: +h[1], mllp: +m[1] }); }
    });
    child.on('exit', (code) => reject(new Error(`socle serve exited ${code}: ${errText}`)));
  });
  for (const m of MESSAGES) {
    const ack = await sendMllp(ports.mllp, m);
    if (!ack.includes('MSA|AA')) throw new Error('seed message refused: ' + ack);
  }
  return {
    url: `http://127.0.0.1:${ports.http}`,
    data,
    async stop() {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  const args = [];
  // Chromium's sandbox needs user namespaces; as root it refuses to start.
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export async function login(page, url, who, password = PASSWORD) {
  await page.goto(url + '/connexion');
  await page.getByLabel('Identifiant').fill(who);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}
