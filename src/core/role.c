#include "core/role.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_ADMIN] = "admin",
    [ROLE_IDENTITOVIGILANT] = "identitovigilant",
    [ROLE_ACCUEIL] = "accueil",
    [ROLE_LECTEUR] = "lecteur",
    [ROLE_FLUX] = "flux",
    [ROLE_DPO] = "dpo",
};

const char *role_name(socle_role role)
{
    if ((unsigned)role >= ROLE_COUNT)
        return "unknown";
    return role_names[role];
}

int role_parse(const char *name, socle_role *out)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (socle_role)i;
            return 0;
        }
    }
    return -1;
}

const char *role_list(void)
{
    return "admin, identitovigilant, accueil, lecteur, flux, dpo";
}
