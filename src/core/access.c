/*
 * access.c - establishment scoping (access.h).
 */
#include "core/access.h"

#include <string.h>

#include "core/identity.h"
#include "util/buf.h"

int access_scope_resolve(struct store *st, const char (*finess)[SOCLE_FINESS_MAX], size_t n,
                         access_scope *sc, socle_err *err)
{
    memset(sc, 0, sizeof *sc);
    if (n > ACCESS_MAX_EJ)
        return err_set(err, SOCLE_EINVAL, "at most %d establishments", ACCESS_MAX_EJ);
    sc->scoped = n > 0;
    for (size_t i = 0; i < n; i++) {
        int found = identity_domain_find(st, NULL, finess[i], &sc->doms[sc->n], err);
        if (found < 0)
            return -1;
        if (found)
            sc->n++;
    }
    return 0;
}

int access_scope_has_oid(const access_scope *sc, const char *oid)
{
    if (!sc->scoped)
        return 1;
    for (size_t i = 0; i < sc->n; i++)
        if (strcmp(sc->doms[i].oid, oid) == 0)
            return 1;
    return 0;
}

int access_scope_has_domain(const access_scope *sc, int64_t domain_id)
{
    if (!sc->scoped)
        return 1;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->doms[i].id == domain_id)
            return 1;
    return 0;
}

int access_scope_has_hit(const access_scope *sc, const identity_hit *h)
{
    if (!sc->scoped)
        return 1;
    for (size_t i = 0; i < h->n_locals; i++)
        if (access_scope_has_oid(sc, h->locals[i].domain_oid))
            return 1;
    return 0;
}

int access_scope_restrict_search(const access_scope *sc, identity_search_criteria *c)
{
    if (!sc->scoped)
        return 0;
    if (sc->n == 0)
        return -1;
    for (size_t i = 0; i < sc->n && c->n_in_domains < IDENTITY_SEARCH_DOMAINS_MAX; i++)
        str_copy(c->in_domains[c->n_in_domains++], SOCLE_OID_MAX, sc->doms[i].oid);
    return 0;
}
