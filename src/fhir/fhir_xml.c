/*
 * fhir_xml.c - FHIR XML to FHIR JSON (fhir_xml.h), over libxml2's tree.
 */
#include "fhir/fhir_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FHIR_NS "http://hl7.org/fhir"
#define XHTML_NS "http://www.w3.org/1999/xhtml"
#define DEPTH_MAX 64

/* Elements that repeat wherever they appear (datatypes' lists). */
static const char *const repeat_anywhere[] = {
    "extension", "modifierExtension", "coding", "given", "prefix", "suffix", "line",
    "profile", "tag", "security",
};

/* Elements that repeat at this path below their resource (resource type,
 * then the element names; choice names as written). */
static const char *const repeat_paths[] = {
    "Bundle.link", "Bundle.entry", "Bundle.entry.link",
    "MessageHeader.destination", "MessageHeader.focus",
    "Patient.identifier", "Patient.name", "Patient.telecom", "Patient.address",
    "Patient.photo", "Patient.contact", "Patient.contact.relationship",
    "Patient.contact.name.given", "Patient.contact.telecom", "Patient.communication",
    "Patient.generalPractitioner", "Patient.link",
    "OperationOutcome.issue", "OperationOutcome.issue.location",
    "OperationOutcome.issue.expression",
    "Parameters.parameter", "Parameters.parameter.part",
};

/* Primitive elements whose JSON value is not a string. */
static const char *const booleans[] = {
    "active", "deceasedBoolean", "multipleBirthBoolean", "valueBoolean", "preferred",
    "userSelected",
};
static const char *const integers[] = {
    "multipleBirthInteger", "valueInteger", "valueUnsignedInt", "valuePositiveInt", "total",
    "rank",
};

static int in(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}
#define IN(list, s) in(list, sizeof list / sizeof list[0], s)

typedef struct conv {
    char *err;
    size_t errn;
    int failed;
} conv;

static json_t *fail(conv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *fail(conv *c, const char *fmt, ...)
{
    if (!c->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errn, fmt, ap);
        va_end(ap);
    }
    c->failed = 1;
    return NULL;
}

static int is_fhir(const xmlNode *n)
{
    return n->ns != NULL && n->ns->href != NULL && strcmp((const char *)n->ns->href, FHIR_NS) == 0;
}

static const char *attr(const xmlNode *n, const char *name, xmlChar **keep)
{
    *keep = xmlGetNoNsProp(n, (const xmlChar *)name);
    return (const char *)*keep;
}

static json_t *resource(conv *c, const xmlNode *n, int depth);

/* The narrative div as XHTML text. */
static json_t *xhtml(conv *c, xmlNode *n)
{
    xmlBufferPtr b = xmlBufferCreate();
    if (b == NULL)
        return fail(c, "out of memory");
    xmlNodeDump(b, n->doc, n, 0, 0);
    json_t *s = json_stringn((const char *)xmlBufferContent(b), (size_t)xmlBufferLength(b));
    xmlBufferFree(b);
    return s != NULL ? s : fail(c, "the narrative is not valid UTF-8");
}

static json_t *primitive(conv *c, const char *name, const char *v)
{
    if (IN(booleans, name)) {
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
            return json_boolean(v[0] == 't');
        return fail(c, "%s: true or false expected", name);
    }
    if (IN(integers, name) || strcmp(name, "valueDecimal") == 0) {
        char *end;
        if (strcmp(name, "valueDecimal") == 0) {
            double d = strtod(v, &end);
            if (*v != '\0' && *end == '\0')
                return json_real(d);
        } else {
            long long k = strtoll(v, &end, 10);
            if (*v != '\0' && *end == '\0')
                return json_integer(k);
        }
        return fail(c, "%s: a number expected", name);
    }
    json_t *s = json_string(v);
    return s != NULL ? s : fail(c, "%s: not valid UTF-8", name);
}

/* Put value under name in obj, as an array when it repeats at path. */
static void put(conv *c, json_t *obj, const char *name, const char *path, json_t *value)
{
    if (value == NULL)
        return;
    int repeats = IN(repeat_anywhere, name) || IN(repeat_paths, path);
    json_t *cur = json_object_get(obj, name);
    if (repeats) {
        if (cur == NULL) {
            cur = json_array();
            json_object_set_new(obj, name, cur);
        }
        json_array_append_new(cur, value);
    } else if (cur != NULL) {
        json_decref(value);
        fail(c, "%s repeats: not expected there", path);
    } else {
        json_object_set_new(obj, name, value);
    }
}

/* The children of element n into obj; path names n below its resource. */
static void members(conv *c, const xmlNode *n, json_t *obj, const char *path, int depth)
{
    if (depth > DEPTH_MAX) {
        fail(c, "nesting deeper than %d elements", DEPTH_MAX);
        return;
    }
    for (xmlNode *k = n->children; k != NULL && !c->failed; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)k->name;
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", path, name);
        if (strcmp(name, "div") == 0 && k->ns != NULL
            && strcmp((const char *)k->ns->href, XHTML_NS) == 0) {
            put(c, obj, "div", sub, xhtml(c, k));
            continue;
        }
        if (!is_fhir(k)) {
            fail(c, "%s: not an element of the FHIR namespace", sub);
            return;
        }
        if (strcmp(name, "resource") == 0 || strcmp(name, "contained") == 0
            || strcmp(name, "outcome") == 0) {
            const xmlNode *r = k->children;
            while (r != NULL && r->type != XML_ELEMENT_NODE)
                r = r->next;
            if (r == NULL) {
                fail(c, "%s: no resource inside", sub);
                return;
            }
            json_t *res = resource(c, r, depth + 1);
            if (strcmp(name, "contained") == 0) {
                json_t *arr = json_object_get(obj, "contained");
                if (arr == NULL)
                    json_object_set_new(obj, "contained", arr = json_array());
                if (res != NULL)
                    json_array_append_new(arr, res);
            } else {
                put(c, obj, name, sub, res);
            }
            continue;
        }
        xmlChar *vk, *ik, *uk;
        const char *value = attr(k, "value", &vk), *id = attr(k, "id", &ik),
                   *url = attr(k, "url", &uk);
        json_t *inner = json_object();
        if (id != NULL)
            json_object_set_new(inner, "id", json_string(id));
        if (url != NULL)
            json_object_set_new(inner, "url", json_string(url));
        members(c, k, inner, sub, depth + 1);
        if (value != NULL) {
            put(c, obj, name, sub, primitive(c, name, value));
            if (json_object_size(inner) > 0) {
                /* A primitive's id and extensions: "_name" (one per
                 * occurrence is not kept for repeating primitives). */
                char under[128];
                snprintf(under, sizeof under, "_%s", name);
                if (json_object_get(obj, under) == NULL)
                    json_object_set(obj, under, inner);
            }
            json_decref(inner);
        } else {
            put(c, obj, name, sub, inner);
        }
        xmlFree(vk);
        xmlFree(ik);
        xmlFree(uk);
    }
}

static json_t *resource(conv *c, const xmlNode *n, int depth)
{
    if (!is_fhir(n))
        return fail(c, "%s: not a FHIR resource (namespace " FHIR_NS ")", (const char *)n->name);
    json_t *obj = json_pack("{s:s}", "resourceType", (const char *)n->name);
    if (obj == NULL)
        return fail(c, "%s: not a resource name", (const char *)n->name);
    members(c, n, obj, (const char *)n->name, depth);
    if (c->failed) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* libxml2 must be initialised once before threads use it. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_parser(void)
{
    xmlInitParser();
}

json_t *fhir_xml_to_json(const char *xml, size_t len, char *err, size_t errn)
{
    conv c = { .err = err, .errn = errn };
    err[0] = '\0';
    pthread_once(&init_once, init_parser);
    if (len > (size_t)1 << 24)
        return fail(&c, "too large");
    /* No network, no entity expansion (XML_PARSE_NOENT not given), no DTD
     * loading; errors reported, not printed. */
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        const xmlError *e = xmlGetLastError();
        fail(&c, "not well-formed XML%s%s", e && e->message ? ": " : "",
             e && e->message ? e->message : "");
        err[strcspn(err, "\r\n")] = '\0';   /* libxml2's messages end with one */
        return NULL;
    }
    json_t *out = NULL;
    xmlNode *root = xmlDocGetRootElement(doc);
    if (doc->intSubset != NULL || doc->extSubset != NULL)
        fail(&c, "a DTD is not allowed in FHIR XML");
    else if (root == NULL)
        fail(&c, "no root element");
    else
        out = resource(&c, root, 0);
    xmlFreeDoc(doc);
    if (c.failed) {
        json_decref(out);
        err[strcspn(err, "\r\n")] = '\0';   /* libxml2's messages end with one */
        if (err[0] == '\0')
            snprintf(err, errn, "unreadable FHIR XML");
        return NULL;
    }
    return out;
}
