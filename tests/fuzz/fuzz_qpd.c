/*
 * fuzz_qpd.c - libFuzzer target for the query parameters parser (qpd.h).
 *
 * Every input that parses as ER7 is read as a PDQ and as a PIX query. A
 * refusal must say where and why (a table 0357 code, a text); an
 * acceptance must give C strings that fit their fields, a limit, domain
 * repetitions that exist, and criteria a search can take.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hl7/er7.h"
#include "hl7/qpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void terminated(const char *s, size_t n)
{
    check(memchr(s, '\0', n) != NULL);
}

static void one(const er7_message *m, qpd_kind kind)
{
    qpd_query q;
    qpd_issue is;
    if (qpd_parse(m, kind, &q, &is) != 0) {
        check(is.code == 100 || is.code == 101 || is.code == 102 || is.code == 103
              || is.code == 204);
        check(is.text[0] != '\0');
        terminated(is.where.seg_id, sizeof is.where.seg_id);
        return;
    }
    const identity_search_criteria *c = &q.crit;
    terminated(c->family, sizeof c->family);
    terminated(c->given, sizeof c->given);
    terminated(c->birth_date, sizeof c->birth_date);
    terminated(c->ipp, sizeof c->ipp);
    terminated(c->domain_oid, sizeof c->domain_oid);
    terminated(c->ins, sizeof c->ins);
    terminated(q.pix_value, sizeof q.pix_value);
    terminated(q.pix_oid, sizeof q.pix_oid);
    terminated(q.continuation, sizeof q.continuation);
    check(c->birth_date[0] == '\0' || strlen(c->birth_date) == 10);
    check(c->sex == 0 || c->sex == 'F' || c->sex == 'M' || c->sex == 'U');
    check(c->n_in_domains <= IDENTITY_SEARCH_DOMAINS_MAX);
    check(c->after_ght_id == 0);
    for (size_t i = 0; i < c->n_in_domains; i++) {
        terminated(c->in_domains[i], SOCLE_OID_MAX);
        check(c->in_domains[i][0] != '\0' && q.domain_reps[i] >= 1);
    }
    if (kind == QPD_PIX)
        check(q.pix_value[0] != '\0' && q.pix_oid[0] != '\0');
    /* A name criterion never keeps its wildcard. */
    check(strchr(c->family, '*') == NULL && strchr(c->given, '*') == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    if (size > 0)
        memcpy(copy, data, size);
    socle_err err;
    er7_message *m = er7_parse(copy, size, &err);
    if (m != NULL) {
        one(m, QPD_PDQ);
        one(m, QPD_PIX);
        er7_free(m);
    }
    free(copy);
    return 0;
}
