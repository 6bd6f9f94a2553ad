/*
 * fuzz_fhir_directory.c - libFuzzer target for the search parameters of
 * the directory resources (organization.h, practitioner.h). The input is a query string
 * "a=b&c=d" (split here, without percent-decoding: MHD does that); the
 * Organization, Location, Practitioner, PractitionerRole and AuditEvent
 * parsers must accept it with criteria that are
 * C strings, or refuse it with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/auditevent.h"
#include "fhir/organization.h"
#include "fhir/practitioner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    http_request req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/fhir/Location";
    char *save = NULL;
    for (char *kv = strtok_r(text, "&", &save); kv != NULL && req.n_params < HTTP_PARAMS_MAX;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq != NULL)
            *eq = '\0';
        req.params[req.n_params].name = kv;
        req.params[req.n_params++].value = eq ? eq + 1 : kv + strlen(kv);
    }
    fhir_search_error e;
    for (int location = 0; location < 2; location++) {
        structure_search_criteria c;
        if (fhir_structure_params(&req, location, &c, &e) == 0)
            check(memchr(c.code, '\0', sizeof c.code) && memchr(c.name, '\0', sizeof c.name)
                  && memchr(c.finess, '\0', sizeof c.finess) && c.limit <= 100
                  && (c.kind_mask & ~(location ? FHIR_LOCATION_KINDS
                                               : FHIR_ORGANIZATION_KINDS)) == 0);
        else
            check(e.code != NULL && e.msg[0] != '\0');
    }
    for (int roles = 0; roles < 2; roles++) {
        professional_search_criteria c;
        if (fhir_professional_params(&req, roles, &c, &e) == 0)
            check(memchr(c.id_value, '\0', sizeof c.id_value)
                  && memchr(c.family, '\0', sizeof c.family)
                  && memchr(c.name, '\0', sizeof c.name) && c.limit <= 100
                  && c.id_type >= -1 && c.id_type <= PRO_ID_ADELI);
        else
            check(e.code != NULL && e.msg[0] != '\0');
    }
    fhir_audit_params a;
    if (fhir_audit_params_parse(&req, &a, &e) == 0)
        check(memchr(a.q.from, '\0', sizeof a.q.from) && memchr(a.q.to, '\0', sizeof a.q.to)
              && memchr(a.q.actor, '\0', sizeof a.q.actor) && a.limit >= 1 && a.limit <= 100
              && a.q.n_action_like <= STORE_AUDIT_LIKE_MAX && a.q.n_outcomes <= 4);
    else
        check(e.code != NULL && e.msg[0] != '\0');
    free(text);
    return 0;
}
