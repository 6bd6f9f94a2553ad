// frcore.mjs - the FR Core rules Socle claims, checked as code on the JSON
// it emits (test-only, used by validate.mjs). The FR Core package itself
// (hl7.fhir.fr.core) is not reachable from this machine (only the npm and
// Debian registries are), so its profiles cannot be loaded into a
// validator: these checks are the rules of ../shared/STANDARDS.md §4 that
// the server implements, NOT the full profiles (cardinalities, bindings and
// slices of FR Core beyond these are not checked).
//
// checkFrCore(resource) returns a list of { family, message }; the
// families are:
//   profile      meta.profile holds the FR Core canonical URL of its type
//   identifier   systems and types of identifiers (IPP PI, INS-NIR/NIA with
//                their OIDs and a valid NIR key, FINESS/idNatSt, IDNPS/RPPS,
//                NDA VN)
//   reliability  the fr-core-identity-reliability extension's shape
//   birthplace   the patient-birthPlace extension and its INSEE code
//   name         name uses (one official birth name, usual used name)

export const FR = 'https://hl7.fr/ig/fhir/core/';
const SD = `${FR}StructureDefinition/`;
const CS_V2_0203_FR = `${FR}CodeSystem/fr-core-cs-v2-0203`;
const CS_V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const CS_ID_TYPE = `${FR}CodeSystem/fr-core-cs-identifier-type`;
const CS_STATUS = `${FR}CodeSystem/fr-core-cs-identity-status`;
const CS_V2_0445 = `${FR}CodeSystem/fr-core-cs-v2-0445`;
const EXT_RELIABILITY = `${SD}fr-core-identity-reliability`;
const EXT_BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
const EXT_INSEE = `${SD}fr-core-address-insee-code`;
const EXT_BIRTH_GIVEN = `${SD}fr-core-patient-birth-list-given-name`;

const PROFILES = {
  Patient: [`${SD}fr-core-patient`, `${SD}fr-core-patient-ins`],
  Encounter: [`${SD}fr-core-encounter`],
  Organization: [`${SD}fr-core-organization`, `${SD}fr-core-organization-uf`],
  Location: [`${SD}fr-core-location`],
  Practitioner: [`${SD}fr-core-practitioner`],
};

// The INS OIDs and the identifier type each one takes (STANDARDS.md §4).
const INS_OIDS = {
  'urn:oid:1.2.250.1.213.1.4.8': 'INS-NIR',
  'urn:oid:1.2.250.1.213.1.4.9': 'INS-NIA',
  'urn:oid:1.2.250.1.213.1.4.10': 'INS-NIR-TEST',
  'urn:oid:1.2.250.1.213.1.4.11': 'INS-NIR-DEMO',
};

// NIR/NIA key: 97 - (the 13 characters, 2A -> 19 and 2B -> 18, mod 97).
export function nirKeyValid(v) {
  if (!/^[1-478][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{8}$/.test(v)) {
    return false;
  }
  let body = v.slice(0, 13);
  if (body.slice(5, 7) === '2A') body = `${body.slice(0, 5)}19${body.slice(7)}`;
  if (body.slice(5, 7) === '2B') body = `${body.slice(0, 5)}18${body.slice(7)}`;
  return 97 - Number(BigInt(body) % 97n) === Number(v.slice(13));
}

const coding = (cc) => (cc?.coding ?? [])[0] ?? {};

function profile(r, out) {
  const want = PROFILES[r.resourceType];
  if (want && !(r.meta?.profile ?? []).some((p) => want.includes(p))) {
    out.push(`meta.profile should hold ${want.join(' or ')}`);
  }
}

function identifiers(r, out) {
  const ids = r.identifier ?? [];
  const need = (cond, i, msg) => { if (!cond) out.push(`identifier[${i}]: ${msg}`); };
  ids.forEach((id, i) => {
    need(typeof id.system === 'string' && id.system && typeof id.value === 'string' && id.value,
      i, 'system and value are required');
    const t = coding(id.type);
    if (r.resourceType === 'Patient') {
      const insType = INS_OIDS[id.system];
      if (insType) {
        need(t.system === CS_V2_0203_FR && t.code === insType, i,
          `an INS of ${id.system} is typed ${CS_V2_0203_FR}#${insType}`);
        need(nirKeyValid(id.value ?? ''), i, `INS ${id.value}: not a NIR/NIA with a valid key`);
        need(['official', 'temp', 'old'].includes(id.use), i, 'an INS has use official/temp/old');
      } else {
        need(/^urn:oid:[0-2](\.[0-9]+)+$/.test(id.system ?? ''), i,
          'an IPP or GHT id has an urn:oid: system');
        need(t.system === CS_V2_0203 && t.code === 'PI', i, `an IPP is typed ${CS_V2_0203}#PI`);
      }
    } else if (r.resourceType === 'Encounter') {
      need(/^urn:oid:/.test(id.system ?? ''), i, 'the NDA has its domain urn:oid: system');
      need(t.system === CS_ID_TYPE && t.code === 'VN', i, `the NDA is typed ${CS_ID_TYPE}#VN`);
    } else if (r.resourceType === 'Organization') {
      if (id.system === 'https://finess.esante.gouv.fr') {
        need(/^[0-9A-B]{9}$/.test(id.value ?? ''), i, 'a FINESS has 9 characters');
        need(t.system === CS_V2_0203_FR && ['FINEJ', 'FINEG'].includes(t.code), i,
          'a FINESS is typed FINEJ or FINEG');
      } else if (id.system === 'urn:oid:1.2.250.1.71.4.2.2') {
        need(t.code === 'IDNST' && /^1[0-9A-B]{9}$/.test(id.value ?? ''), i,
          'an idNatSt of a FINESS is 1 + FINESS, typed IDNST');
      }
    } else if (r.resourceType === 'Practitioner') {
      if (id.system === 'urn:oid:1.2.250.1.71.4.2.1') {
        need(t.system === CS_V2_0203_FR && t.code === 'IDNPS', i, 'the IDNPS is typed IDNPS');
        need(/^[08][0-9]+$/.test(id.value ?? ''), i, 'an IDNPS is 8 + RPPS or 0 + ADELI');
      } else if (id.system === 'https://rpps.esante.gouv.fr') {
        need(/^[0-9]{11}$/.test(id.value ?? ''), i, 'an RPPS has 11 digits');
      } else {
        need(false, i, `unexpected system ${id.system} for a professional`);
      }
    }
  });
  if (r.resourceType === 'Practitioner') {
    if (!ids.some((id) => id.system === 'urn:oid:1.2.250.1.71.4.2.1')) {
      out.push('identifier: a Practitioner has its IDNPS');
    }
  }
}

function reliability(r, out) {
  const exts = (r.extension ?? []).filter((e) => e.url === EXT_RELIABILITY);
  if (r.active === false && exts.length === 0) return;   // merged away: no traits
  if (exts.length !== 1) {
    out.push(`${exts.length} identity-reliability extensions, 1 expected`);
    return;
  }
  const subs = exts[0].extension ?? [];
  const allowed = {
    identityStatus: 'valueCoding', methodCollection: 'valueCoding',
    dateInterrogationINSi: 'valueDate', validationDate: 'valueDate',
    validationMode: 'valueCoding', comment: 'valueString',
  };
  for (const s of subs) {
    const key = allowed[s.url];
    if (!key) {
      out.push(`unknown sub-extension ${s.url}`);
    } else if (s[key] === undefined || Object.keys(s).some((k) => k.startsWith('value') && k !== key)) {
      out.push(`${s.url} takes ${key}`);
    } else if (key === 'valueDate' && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s[key])) {
      out.push(`${s.url}: a full date expected`);
    }
  }
  const status = subs.filter((s) => s.url === 'identityStatus');
  if (status.length !== 1) {
    out.push(`${status.length} identityStatus, 1 expected`);
    return;
  }
  const c = status[0].valueCoding ?? {};
  const codes = c.system === CS_V2_0445 ? ['VIDE', 'PROV', 'VALI', 'DOUTE', 'FICTI']
    : ['PROV', 'RECUP', 'VALI', 'QUAL'];
  if (![CS_STATUS, CS_V2_0445].includes(c.system) || !codes.includes(c.code)) {
    out.push(`identityStatus ${c.system}#${c.code}: not an identity status`);
  }
  // RNIV: only a qualified identity discloses its INS.
  const hasIns = (r.identifier ?? []).some((id) => INS_OIDS[id.system]);
  if (hasIns && c.system === CS_STATUS && c.code !== 'QUAL') {
    out.push(`an INS is disclosed with status ${c.code}, QUAL required`);
  }
}

function birthplace(r, out) {
  for (const e of (r.extension ?? []).filter((x) => x.url === EXT_BIRTH_PLACE)) {
    const a = e.valueAddress;
    if (!a) {
      out.push('patient-birthPlace takes valueAddress');
      continue;
    }
    for (const x of a.extension ?? []) {
      if (x.url !== EXT_INSEE) continue;
      const code = x.valueCoding?.code ?? '';
      if (!/^(?:[0-9]{5}|2[AB][0-9]{3})$/.test(code) || code.startsWith('99')) {
        out.push(`INSEE code ${code}: a commune code (5 characters, not 99xxx) expected`);
      }
    }
  }
}

function names(r, out) {
  const list = r.name ?? [];
  if (r.active === false && list.length === 0) return;   // merged away
  const official = list.filter((n) => n.use === 'official');
  if (official.length !== 1 || !official[0].family) {
    out.push('exactly one official name (the birth name) with its family expected');
  }
  for (const n of list) {
    if (!['official', 'usual'].includes(n.use)) {
      out.push(`name use ${n.use}: official (birth name) or usual (used name) expected`);
    }
    if (n.use === 'usual' && !n.family && !(n.given ?? []).length) {
      out.push('a usual name holds a used name or a used forename');
    }
    for (const x of n.extension ?? []) {
      if (x.url === EXT_BIRTH_GIVEN && (n.use !== 'official' || typeof x.valueString !== 'string')) {
        out.push('birth-list-given-name is a valueString of the official name');
      }
    }
  }
}

const RULES = {
  Patient: { profile, identifier: identifiers, reliability, birthplace, name: names },
  Encounter: { profile, identifier: identifiers },
  Organization: { profile, identifier: identifiers },
  Location: { profile },
  Practitioner: { profile, identifier: identifiers },
};

export const FAMILIES = ['profile', 'identifier', 'reliability', 'birthplace', 'name'];

export function checkFrCore(resource) {
  const found = [];
  for (const [family, rule] of Object.entries(RULES[resource.resourceType] ?? {})) {
    const out = [];
    rule(resource, out);
    for (const message of out) found.push({ family, message });
  }
  return found;
}

export function coversType(type) {
  return type in RULES;
}
