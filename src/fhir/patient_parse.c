/*
 * patient_parse.c - FHIR Patient JSON into identity_input (patient_parse.h).
 */
#include "fhir/patient_parse.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/ins.h"
#include "util/buf.h"

static int fail(fhir_search_error *e, const char *code, const char *expression,
                const char *msg)
{
    e->code = code;
    e->expression = expression;
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* Copy src into dst (n bytes) or fail: input longer than a field is an
 * error, never truncated (model.h). */
static int put(char *dst, size_t n, const char *src, fhir_search_error *e,
               const char *expression)
{
    if (str_copy(dst, n, src) != 0)
        return fail(e, "invalid", expression, "value too long");
    return 0;
}

/* The first coding code of a CodeableConcept, "" when none. */
static const char *type_code(json_t *identifier)
{
    return str(json_array_get(json_object_get(json_object_get(identifier, "type"), "coding"),
                              0), "code");
}

static int read_identifiers(json_t *ids, fhir_patient_in *out, fhir_search_error *e)
{
    if (ids != NULL && !json_is_array(ids))
        return fail(e, "structure", "Patient.identifier", "identifier must be an array");
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id) {
        const char *system = str(id, "system"), *value = str(id, "value");
        const char *type = type_code(id);
        if (value[0] == '\0')
            return fail(e, "required", "Patient.identifier.value", "identifier without value");
        if (strncmp(system, "urn:oid:", 8) != 0)
            continue;  /* not a domain Socle can know */
        const char *oid = system + 8;
        ins_oid_kind kind = ins_oid_classify(oid);
        int ins_type = strcmp(type, "INS-NIR") == 0 || strcmp(type, "INS-NIA") == 0
                    || strncmp(type, "INS-NIR-", 8) == 0;
        if (strcmp(type, "NH") == 0)
            continue;  /* billing NIR: not an INS */
        if (kind != INS_OID_UNKNOWN || ins_type) {
            if (out->in.ins[0] != '\0')
                return fail(e, "business-rule", "Patient.identifier",
                            "more than one INS identifier");
            if (put(out->in.ins, sizeof out->in.ins, value, e, "Patient.identifier.value") != 0
                || put(out->in.ins_oid, sizeof out->in.ins_oid, oid, e,
                       "Patient.identifier.system") != 0)
                return -1;
            continue;
        }
        if (type[0] != '\0' && strcmp(type, "PI") != 0)
            continue;
        if (out->n_pi == FHIR_PATIENT_PI_MAX)
            return fail(e, "too-costly", "Patient.identifier", "too many identifiers");
        fhir_patient_pi *pi = &out->pi[out->n_pi++];
        if (put(pi->oid, sizeof pi->oid, oid, e, "Patient.identifier.system") != 0
            || put(pi->value, sizeof pi->value, value, e, "Patient.identifier.value") != 0)
            return -1;
    }
    return 0;
}

/* given[] joined by spaces into out. */
static int join_given(json_t *given, char *out, size_t n, fhir_search_error *e,
                      const char *expression)
{
    buf b = { 0 };
    size_t i;
    json_t *g;
    json_array_foreach(given, i, g) {
        if (!json_is_string(g)) {
            buf_free(&b);
            return fail(e, "structure", expression, "given must be strings");
        }
        if (b.len)
            buf_putc(&b, ' ');
        buf_puts(&b, json_string_value(g));
    }
    int rc = put(out, n, buf_cstr(&b), e, expression);
    buf_free(&b);
    return rc;
}

static json_t *name_of_use(json_t *names, const char *use)
{
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n) {
        json_t *u = json_object_get(n, "use");
        if (use == NULL ? u == NULL : strcmp(str(n, "use"), use) == 0)
            return n;
    }
    return NULL;
}

static int read_names(json_t *names, identity_traits *t, fhir_patient_in *out,
                      fhir_search_error *e)
{
    (void)out;
    if (!json_is_array(names) || json_array_size(names) == 0)
        return fail(e, "required", "Patient.name", "a name is required (the birth name)");
    const char *x = "Patient.name.where(use='official')";
    json_t *birth = name_of_use(names, "official");
    if (birth == NULL)
        birth = name_of_use(names, "maiden");
    if (birth == NULL)
        birth = name_of_use(names, NULL);
    if (birth == NULL)
        return fail(e, "required", x, "no official name (the birth name)");
    json_t *given = json_object_get(birth, "given");
    if (given != NULL && !json_is_array(given))
        return fail(e, "structure", "Patient.name.given", "given must be an array");
    if (put(t->birth_name, sizeof t->birth_name, str(birth, "family"), e,
            "Patient.name.family") != 0
        || put(t->first_forename, sizeof t->first_forename,
               json_string_value(json_array_get(given, 0)) ? json_string_value(
                   json_array_get(given, 0)) : "", e, "Patient.name.given") != 0)
        return -1;
    const char *list = NULL;
    size_t i;
    json_t *ext;
    json_array_foreach(json_object_get(birth, "extension"), i, ext)
        if (ends_with(str(ext, "url"), "birth-list-given-name"))
            list = str(ext, "valueString");
    if (list != NULL && list[0] != '\0') {
        if (put(t->forenames, sizeof t->forenames, list, e, "Patient.name.extension") != 0)
            return -1;
    } else if (join_given(given, t->forenames, sizeof t->forenames, e,
                          "Patient.name.given") != 0) {
        return -1;
    }
    if (t->first_forename[0] == '\0' && t->forenames[0] != '\0') {
        size_t w = strcspn(t->forenames, " ");
        snprintf(t->first_forename, sizeof t->first_forename, "%.*s", (int)w, t->forenames);
    }
    json_t *usual = name_of_use(names, "usual");
    if (usual != NULL && usual != birth) {
        const char *g = json_string_value(json_array_get(json_object_get(usual, "given"), 0));
        if (put(t->used_name, sizeof t->used_name, str(usual, "family"), e,
                "Patient.name.where(use='usual').family") != 0
            || put(t->used_forename, sizeof t->used_forename, g ? g : "", e,
                   "Patient.name.where(use='usual').given") != 0)
            return -1;
    }
    return 0;
}

static int read_birth_place(json_t *ext, identity_traits *t, fhir_search_error *e)
{
    const char *xp = "Patient.extension('http://hl7.org/fhir/StructureDefinition/"
                     "patient-birthPlace')";
    json_t *addr = json_object_get(ext, "valueAddress");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(addr, "extension"), i, x)
        if (ends_with(str(x, "url"), "fr-core-address-insee-code"))
            return put(t->birth_place, sizeof t->birth_place,
                       str(json_object_get(x, "valueCoding"), "code"), e, xp);
    /* FR Core 1.x put the INSEE code in district. */
    const char *d = str(addr, "district");
    if (strlen(d) == 5)
        str_copy(t->birth_place, sizeof t->birth_place, d);
    return 0;
}

static void read_reliability(json_t *ext, identity_input *in)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(ext, "extension"), i, x) {
        const char *url = str(x, "url");
        json_t *coding = json_object_get(x, "valueCoding");
        const char *code = str(coding, "code");
        if (strcmp(url, "identityStatus") == 0 || strcmp(url, "identityReliability") == 0) {
            if (strcmp(code, "RECUP") == 0 || strcmp(code, "QUAL") == 0
                || (strcmp(code, "VALI") == 0 && strstr(str(coding, "system"), "0445")))
                in->insi_verified = 1;
        } else if (strcmp(url, "dateInterrogationINSi") == 0) {
            in->insi_verified = 1;
        } else if (strcmp(url, "validationMode") == 0 && strlen(code) < sizeof in->proof_type) {
            str_copy(in->proof_type, sizeof in->proof_type, code);
        }
    }
}

static int read_contact(json_t *p, identity_contact *c, fhir_search_error *e)
{
    json_t *a = json_array_get(json_object_get(p, "address"), 0);
    if (a != NULL) {
        json_t *lines = json_object_get(a, "line");
        if (join_given(lines, c->address, sizeof c->address, e, "Patient.address.line") != 0
            || put(c->postal_code, sizeof c->postal_code, str(a, "postalCode"), e,
                   "Patient.address.postalCode") != 0
            || put(c->city, sizeof c->city, str(a, "city"), e, "Patient.address.city") != 0)
            return -1;
        if (strlen(str(a, "country")) == 3)
            str_copy(c->country, sizeof c->country, str(a, "country"));
    }
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(p, "telecom"), i, t) {
        const char *sys = str(t, "system"), *v = str(t, "value");
        if (strcmp(sys, "phone") == 0 && c->phone[0] == '\0'
            && put(c->phone, sizeof c->phone, v, e, "Patient.telecom.value") != 0)
            return -1;
        if (strcmp(sys, "email") == 0 && c->email[0] == '\0'
            && put(c->email, sizeof c->email, v, e, "Patient.telecom.value") != 0)
            return -1;
    }
    return 0;
}

int fhir_patient_parse(const char *body, size_t len, fhir_patient_in *out,
                       fhir_search_error *e)
{
    memset(out, 0, sizeof *out);
    memset(e, 0, sizeof *e);
    if (body == NULL || len == 0)
        return fail(e, "required", NULL, "a Patient resource is required in the body");
    json_error_t je;
    json_t *p = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (p == NULL) {
        e->code = "invalid";
        snprintf(e->msg, sizeof e->msg, "invalid JSON at line %d: %s", je.line, je.text);
        return -1;
    }
    int rc = -1;
    identity_traits *t = &out->in.traits;
    if (!json_is_object(p)) {
        fail(e, "structure", NULL, "the body is not a JSON object");
        goto done;
    }
    if (strcmp(str(p, "resourceType"), "Patient") != 0) {
        fail(e, "invalid", "Patient.resourceType", "resourceType must be Patient");
        goto done;
    }
    if (put(out->id, sizeof out->id, str(p, "id"), e, "Patient.id") != 0
        || read_identifiers(json_object_get(p, "identifier"), out, e) != 0
        || read_names(json_object_get(p, "name"), t, out, e) != 0)
        goto done;
    const char *gender = str(p, "gender");
    if (strcmp(gender, "male") == 0)
        t->sex = 'M';
    else if (strcmp(gender, "female") == 0)
        t->sex = 'F';
    else if (strcmp(gender, "unknown") == 0 || strcmp(gender, "other") == 0)
        t->sex = 'U';
    else {
        fail(e, gender[0] ? "code-invalid" : "required", "Patient.gender",
             gender[0] ? "gender must be male, female, other or unknown" : "gender is required");
        goto done;
    }
    const char *bd = str(p, "birthDate");
    if (strlen(bd) != 10) {
        fail(e, bd[0] ? "invalid" : "required", "Patient.birthDate",
             bd[0] ? "birthDate must be a full date (YYYY-MM-DD)" : "birthDate is required");
        goto done;
    }
    str_copy(t->birth_date, sizeof t->birth_date, bd);
    size_t i;
    json_t *ext;
    json_array_foreach(json_object_get(p, "extension"), i, ext) {
        const char *url = str(ext, "url");
        if (ends_with(url, "patient-birthPlace")) {
            if (read_birth_place(ext, t, e) != 0)
                goto done;
        } else if (ends_with(url, "fr-core-identity-reliability")
                 || ends_with(url, "fr-core-ident-reliability"))
            read_reliability(ext, &out->in);
    }
    if (read_contact(p, &out->in.contact, e) != 0)
        goto done;
    rc = 0;
done:
    json_decref(p);
    return rc;
}

const char *fhir_patient_expression(const char *core_msg)
{
    static const struct { const char *field, *path; } map[] = {
        { "birth_name", "Patient.name.where(use='official').family" },
        { "first_forename", "Patient.name.where(use='official').given" },
        { "forenames", "Patient.name.where(use='official').given" },
        { "birth_date", "Patient.birthDate" },
        { "sex", "Patient.gender" },
        { "birth_place",
          "Patient.extension('http://hl7.org/fhir/StructureDefinition/patient-birthPlace')" },
        { "used_name", "Patient.name.where(use='usual').family" },
        { "used_forename", "Patient.name.where(use='usual').given" },
        { "ins", "Patient.identifier" },
        { "ipp", "Patient.identifier" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t n = strlen(map[i].field);
        if (strncmp(core_msg, map[i].field, n) == 0 && core_msg[n] == ':')
            return map[i].path;
    }
    return NULL;
}
