/*
 * fuzz_fhir_search.c - libFuzzer target for the FHIR search parameters
 * (fhir_search.h). The input is a query string "a=b&c=d" (split here,
 * without percent-decoding: MHD does that); both the Patient and the
 * Encounter parsers must accept it with criteria that are C strings, or
 * refuse it with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhir_search.h"

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
    req.path = "/fhir/Patient";
    char *save = NULL;
    for (char *kv = strtok_r(text, "&", &save); kv != NULL && req.n_params < HTTP_PARAMS_MAX;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq != NULL)
            *eq = '\0';
        req.params[req.n_params].name = kv;
        req.params[req.n_params++].value = eq ? eq + 1 : kv + strlen(kv);
    }
    identity_search_criteria c;
    fhir_search_error e;
    int inactive;
    if (fhir_patient_params(&req, &c, &inactive, &e) == 0) {
        check(memchr(c.family, '\0', sizeof c.family) && memchr(c.ipp, '\0', sizeof c.ipp)
              && memchr(c.birth_from, '\0', sizeof c.birth_from)
              && memchr(c.birth_to, '\0', sizeof c.birth_to) && c.limit <= 100);
    } else {
        check(e.code != NULL && e.msg[0] != '\0');
    }
    stay_search_criteria s;
    if (fhir_encounter_params(&req, &s, &e) == 0)
        check(memchr(s.nda, '\0', sizeof s.nda) && memchr(s.to, '\0', sizeof s.to)
              && s.limit <= 100);
    else
        check(e.code != NULL && e.msg[0] != '\0');
    free(text);
    return 0;
}
