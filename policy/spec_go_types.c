/* SPDX-License-Identifier: Apache-2.0 */
/* runc decodes config.json (and an exec's process file) with Go 1.19's
 * encoding/json into runtime-spec's structs (the commit runc 1.1 vendors,
 * 1c3f411f0417).  hardrun must read the spec exactly as that decoder does,
 * so this file models it: the types below are runtime-spec's (field names
 * from its json tags, and whether a field is a pointer, a slice, a map, a
 * struct value or a scalar), and hr_go_decode_spec replays the decoder over
 * a tree that kept every member, duplicates included:
 *
 * - a key picks the struct field whose tag equals it, else the first whose
 *   tag equals it after Go's case folding (ASCII case, U+017F for 's', U+212A
 *   for 'k'); keys matching no field are ignored by Go (kept here verbatim);
 * - a field given twice is decoded twice into the same Go value: scalars and
 *   interfaces take the later value; a struct (or a non-nil pointer to one)
 *   is merged, fields absent the second time keep the first value; a map is
 *   reused and merged key by key (keys exact, each value decoded fresh); a
 *   slice is reused: element i of the later array is decoded into element i
 *   of the earlier one (merging structs), the length becomes the later
 *   array's, and elements past it stay in the backing array, so a still later
 *   longer array decodes into them again (Go grows a slice's capacity to
 *   max(4, cap*3/2) and copies only the live elements);
 * - null sets a pointer, slice, map or interface to nil and leaves any other
 *   value as it was; in a map or a slice it is the element's zero value;
 * - an integer field takes only integer text that fits its kind; any other
 *   type mismatch fails the decode (runc refuses the spec).
 *
 * The result is a tree with each struct field once (its first key, or its
 * tag when it was given several times), map objects marked go_map, and the
 * values Go ended up with; a spec without duplicates comes out unchanged. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_go_types.h"

enum go_kind
{
  GO_STRING,
  GO_BOOL,
  GO_INT64, /* int, int64 */
  GO_UINT16,
  GO_UINT32, /* uint32, os.FileMode */
  GO_UINT64, /* uint, uint64 */
  GO_STRUCT,
  GO_SLICE,
  GO_MAP,
  GO_ANY, /* interface{} */
};

struct go_field;

struct go_type
{
  enum go_kind kind;
  bool pointer;
  const struct go_field *fields; /* GO_STRUCT */
  const struct go_type *elem;    /* GO_SLICE, GO_MAP */
};

struct go_field
{
  const char *name;
  const struct go_type *type;
};

/* Scalars, pointers to scalars, slices of scalars, maps of strings. */
static const struct go_type t_string = { .kind = GO_STRING }, t_bool = { .kind = GO_BOOL },
                            t_int = { .kind = GO_INT64 }, t_uint32 = { .kind = GO_UINT32 },
                            t_uint64 = { .kind = GO_UINT64 }, t_any = { .kind = GO_ANY };
static const struct go_type p_bool
    = { .kind = GO_BOOL, .pointer = true },
    p_int = { .kind = GO_INT64, .pointer = true }, p_uint16 = { .kind = GO_UINT16, .pointer = true },
    p_uint32 = { .kind = GO_UINT32, .pointer = true }, p_uint64 = { .kind = GO_UINT64, .pointer = true };
static const struct go_type s_string = { .kind = GO_SLICE, .elem = &t_string },
                            s_uint32 = { .kind = GO_SLICE, .elem = &t_uint32 };
static const struct go_type m_string = { .kind = GO_MAP, .elem = &t_string };

/* A struct type T, *T and []T from T_fields. */
#define GO_STRUCT_TYPES(T)                                                                                             \
  __attribute__ ((unused)) static const struct go_type T = { .kind = GO_STRUCT, .fields = T##_fields };                \
  __attribute__ ((unused)) static const struct go_type p_##T                                                           \
      = { .kind = GO_STRUCT, .pointer = true, .fields = T##_fields };                                                  \
  __attribute__ ((unused)) static const struct go_type s_##T = { .kind = GO_SLICE, .elem = &T }
#define END_FIELDS                                                                                                     \
  {                                                                                                                    \
    NULL, NULL                                                                                                         \
  }

static const struct go_field Box_fields[] = { { "height", &t_uint64 }, { "width", &t_uint64 }, END_FIELDS };
GO_STRUCT_TYPES (Box);
static const struct go_field User_fields[] = { { "uid", &t_uint32 },      { "gid", &t_uint32 },
                                               { "umask", &p_uint32 },    { "additionalGids", &s_uint32 },
                                               { "username", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (User);
static const struct go_field Capabilities_fields[]
    = { { "bounding", &s_string },  { "effective", &s_string }, { "inheritable", &s_string },
        { "permitted", &s_string }, { "ambient", &s_string },   END_FIELDS };
GO_STRUCT_TYPES (Capabilities);
static const struct go_field Rlimit_fields[]
    = { { "type", &t_string }, { "hard", &t_uint64 }, { "soft", &t_uint64 }, END_FIELDS };
GO_STRUCT_TYPES (Rlimit);
static const struct go_field Process_fields[] = {
  { "terminal", &t_bool },
  { "consoleSize", &p_Box },
  { "user", &User },
  { "args", &s_string },
  { "commandLine", &t_string },
  { "env", &s_string },
  { "cwd", &t_string },
  { "capabilities", &p_Capabilities },
  { "rlimits", &s_Rlimit },
  { "noNewPrivileges", &t_bool },
  { "apparmorProfile", &t_string },
  { "oomScoreAdj", &p_int },
  { "selinuxLabel", &t_string },
  END_FIELDS,
};
GO_STRUCT_TYPES (Process);
static const struct go_field Root_fields[] = { { "path", &t_string }, { "readonly", &t_bool }, END_FIELDS };
GO_STRUCT_TYPES (Root);
static const struct go_field Mount_fields[] = {
  { "destination", &t_string }, { "type", &t_string }, { "source", &t_string }, { "options", &s_string }, END_FIELDS
};
GO_STRUCT_TYPES (Mount);
static const struct go_field Hook_fields[]
    = { { "path", &t_string }, { "args", &s_string }, { "env", &s_string }, { "timeout", &p_int }, END_FIELDS };
GO_STRUCT_TYPES (Hook);
static const struct go_field Hooks_fields[] = { { "prestart", &s_Hook },
                                                { "createRuntime", &s_Hook },
                                                { "createContainer", &s_Hook },
                                                { "startContainer", &s_Hook },
                                                { "poststart", &s_Hook },
                                                { "poststop", &s_Hook },
                                                END_FIELDS };
GO_STRUCT_TYPES (Hooks);
static const struct go_field IDMapping_fields[]
    = { { "containerID", &t_uint32 }, { "hostID", &t_uint32 }, { "size", &t_uint32 }, END_FIELDS };
GO_STRUCT_TYPES (IDMapping);
static const struct go_field Namespace_fields[] = { { "type", &t_string }, { "path", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (Namespace);
static const struct go_field Device_fields[]
    = { { "path", &t_string },     { "type", &t_string }, { "major", &t_int },  { "minor", &t_int },
        { "fileMode", &p_uint32 }, { "uid", &p_uint32 },  { "gid", &p_uint32 }, END_FIELDS };
GO_STRUCT_TYPES (Device);
static const struct go_field DeviceCgroup_fields[]
    = { { "allow", &t_bool }, { "type", &t_string },   { "major", &p_int },
        { "minor", &p_int },  { "access", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (DeviceCgroup);
static const struct go_field Memory_fields[] = { { "limit", &p_int },
                                                 { "reservation", &p_int },
                                                 { "swap", &p_int },
                                                 { "kernel", &p_int },
                                                 { "kernelTCP", &p_int },
                                                 { "swappiness", &p_uint64 },
                                                 { "disableOOMKiller", &p_bool },
                                                 { "useHierarchy", &p_bool },
                                                 END_FIELDS };
GO_STRUCT_TYPES (Memory);
static const struct go_field CPU_fields[]
    = { { "shares", &p_uint64 },         { "quota", &p_int },   { "period", &p_uint64 }, { "realtimeRuntime", &p_int },
        { "realtimePeriod", &p_uint64 }, { "cpus", &t_string }, { "mems", &t_string },   END_FIELDS };
GO_STRUCT_TYPES (CPU);
static const struct go_field Pids_fields[] = { { "limit", &t_int }, END_FIELDS };
GO_STRUCT_TYPES (Pids);
/* major and minor are promoted from the embedded linuxBlockIODevice */
static const struct go_field WeightDevice_fields[]
    = { { "major", &t_int }, { "minor", &t_int }, { "weight", &p_uint16 }, { "leafWeight", &p_uint16 }, END_FIELDS };
GO_STRUCT_TYPES (WeightDevice);
static const struct go_field ThrottleDevice_fields[]
    = { { "major", &t_int }, { "minor", &t_int }, { "rate", &t_uint64 }, END_FIELDS };
GO_STRUCT_TYPES (ThrottleDevice);
static const struct go_field BlockIO_fields[] = { { "weight", &p_uint16 },
                                                  { "leafWeight", &p_uint16 },
                                                  { "weightDevice", &s_WeightDevice },
                                                  { "throttleReadBpsDevice", &s_ThrottleDevice },
                                                  { "throttleWriteBpsDevice", &s_ThrottleDevice },
                                                  { "throttleReadIOPSDevice", &s_ThrottleDevice },
                                                  { "throttleWriteIOPSDevice", &s_ThrottleDevice },
                                                  END_FIELDS };
GO_STRUCT_TYPES (BlockIO);
static const struct go_field Hugepage_fields[] = { { "pageSize", &t_string }, { "limit", &t_uint64 }, END_FIELDS };
GO_STRUCT_TYPES (Hugepage);
static const struct go_field Priority_fields[] = { { "name", &t_string }, { "priority", &t_uint32 }, END_FIELDS };
GO_STRUCT_TYPES (Priority);
static const struct go_field Network_fields[] = { { "classID", &p_uint32 }, { "priorities", &s_Priority }, END_FIELDS };
GO_STRUCT_TYPES (Network);
static const struct go_field Rdma_fields[] = { { "hcaHandles", &p_uint32 }, { "hcaObjects", &p_uint32 }, END_FIELDS };
GO_STRUCT_TYPES (Rdma);
static const struct go_type m_Rdma = { .kind = GO_MAP, .elem = &Rdma };
static const struct go_field Resources_fields[] = { { "devices", &s_DeviceCgroup },
                                                    { "memory", &p_Memory },
                                                    { "cpu", &p_CPU },
                                                    { "pids", &p_Pids },
                                                    { "blockIO", &p_BlockIO },
                                                    { "hugepageLimits", &s_Hugepage },
                                                    { "network", &p_Network },
                                                    { "rdma", &m_Rdma },
                                                    { "unified", &m_string },
                                                    END_FIELDS };
GO_STRUCT_TYPES (Resources);
static const struct go_field SeccompArg_fields[]
    = { { "index", &t_uint64 }, { "value", &t_uint64 }, { "valueTwo", &t_uint64 }, { "op", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (SeccompArg);
static const struct go_field Syscall_fields[] = {
  { "names", &s_string }, { "action", &t_string }, { "errnoRet", &p_uint64 }, { "args", &s_SeccompArg }, END_FIELDS
};
GO_STRUCT_TYPES (Syscall);
static const struct go_field Seccomp_fields[] = { { "defaultAction", &t_string }, { "defaultErrnoRet", &p_uint64 },
                                                  { "architectures", &s_string }, { "flags", &s_string },
                                                  { "listenerPath", &t_string },  { "listenerMetadata", &t_string },
                                                  { "syscalls", &s_Syscall },     END_FIELDS };
GO_STRUCT_TYPES (Seccomp);
static const struct go_field IntelRdt_fields[]
    = { { "closID", &t_string }, { "l3CacheSchema", &t_string }, { "memBwSchema", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (IntelRdt);
static const struct go_field Personality_fields[] = { { "domain", &t_string }, { "flags", &s_string }, END_FIELDS };
GO_STRUCT_TYPES (Personality);
static const struct go_field Linux_fields[]
    = { { "uidMappings", &s_IDMapping }, { "gidMappings", &s_IDMapping },   { "sysctl", &m_string },
        { "resources", &p_Resources },   { "cgroupsPath", &t_string },      { "namespaces", &s_Namespace },
        { "devices", &s_Device },        { "seccomp", &p_Seccomp },         { "rootfsPropagation", &t_string },
        { "maskedPaths", &s_string },    { "readonlyPaths", &s_string },    { "mountLabel", &t_string },
        { "intelRdt", &p_IntelRdt },     { "personality", &p_Personality }, END_FIELDS };
GO_STRUCT_TYPES (Linux);
/* The other platforms: runc ignores them, but a value of the wrong type
 * still fails its decode. */
static const struct go_field CappedCPU_fields[] = { { "ncpus", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (CappedCPU);
static const struct go_field CappedMemory_fields[] = { { "physical", &t_string }, { "swap", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (CappedMemory);
static const struct go_field Anet_fields[]
    = { { "linkname", &t_string },       { "lowerLink", &t_string },
        { "allowedAddress", &t_string }, { "configureAllowedAddress", &t_string },
        { "defrouter", &t_string },      { "linkProtection", &t_string },
        { "macAddress", &t_string },     END_FIELDS };
GO_STRUCT_TYPES (Anet);
static const struct go_field Solaris_fields[] = { { "milestone", &t_string },
                                                  { "limitpriv", &t_string },
                                                  { "maxShmMemory", &t_string },
                                                  { "anet", &s_Anet },
                                                  { "cappedCPU", &p_CappedCPU },
                                                  { "cappedMemory", &p_CappedMemory },
                                                  END_FIELDS };
GO_STRUCT_TYPES (Solaris);
static const struct go_field WinDevice_fields[] = { { "id", &t_string }, { "idType", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (WinDevice);
static const struct go_field WinMemory_fields[] = { { "limit", &p_uint64 }, END_FIELDS };
GO_STRUCT_TYPES (WinMemory);
static const struct go_field WinCPU_fields[]
    = { { "count", &p_uint64 }, { "shares", &p_uint16 }, { "maximum", &p_uint16 }, END_FIELDS };
GO_STRUCT_TYPES (WinCPU);
static const struct go_field WinStorage_fields[]
    = { { "iops", &p_uint64 }, { "bps", &p_uint64 }, { "sandboxSize", &p_uint64 }, END_FIELDS };
GO_STRUCT_TYPES (WinStorage);
static const struct go_field WinResources_fields[]
    = { { "memory", &p_WinMemory }, { "cpu", &p_WinCPU }, { "storage", &p_WinStorage }, END_FIELDS };
GO_STRUCT_TYPES (WinResources);
static const struct go_field WinNetwork_fields[]
    = { { "endpointList", &s_string },     { "allowUnqualifiedDNSQuery", &t_bool },
        { "DNSSearchList", &s_string },    { "networkSharedContainerName", &t_string },
        { "networkNamespace", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (WinNetwork);
static const struct go_field HyperV_fields[] = { { "utilityVMPath", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (HyperV);
static const struct go_field Windows_fields[]
    = { { "layerFolders", &s_string }, { "devices", &s_WinDevice },  { "resources", &p_WinResources },
        { "credentialSpec", &t_any },  { "servicing", &t_bool },     { "ignoreFlushesDuringBoot", &t_bool },
        { "hyperv", &p_HyperV },       { "network", &p_WinNetwork }, END_FIELDS };
GO_STRUCT_TYPES (Windows);
static const struct go_field VMPath_fields[]
    = { { "path", &t_string }, { "parameters", &s_string }, { "initrd", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (VMPath);
static const struct go_field VMImage_fields[] = { { "path", &t_string }, { "format", &t_string }, END_FIELDS };
GO_STRUCT_TYPES (VMImage);
/* hypervisor has no initrd in Go; a key "initrd" there is ignored either way */
static const struct go_field VMHypervisor_fields[] = { { "path", &t_string }, { "parameters", &s_string }, END_FIELDS };
GO_STRUCT_TYPES (VMHypervisor);
static const struct go_field VM_fields[]
    = { { "hypervisor", &VMHypervisor }, { "kernel", &VMPath }, { "image", &VMImage }, END_FIELDS };
GO_STRUCT_TYPES (VM);
static const struct go_field Spec_fields[]
    = { { "ociVersion", &t_string },  { "process", &p_Process }, { "root", &p_Root },
        { "hostname", &t_string },    { "mounts", &s_Mount },    { "hooks", &p_Hooks },
        { "annotations", &m_string }, { "linux", &p_Linux },     { "solaris", &p_Solaris },
        { "windows", &p_Windows },    { "vm", &p_VM },           END_FIELDS };
GO_STRUCT_TYPES (Spec);

/* ---- Go values being decoded ---- */

struct go_value;

struct go_member
{
  const char *key;        /* borrowed from the input tree */
  int field;              /* index in the struct's fields; -1: unknown (raw) */
  unsigned times;         /* how often the field was given */
  struct go_value *value; /* known fields and map entries */
  const struct hr_json *raw;
};

struct go_value
{
  const struct go_type *type;
  bool null;                  /* nil pointer/slice/map/interface, or a JSON null left in place */
  const struct hr_json *text; /* scalars and interfaces: the JSON value (borrowed) */
  struct go_member *members;  /* struct fields and unknown keys; map entries */
  size_t n_members, members_cap;
  struct go_value **backing; /* slice: the backing array; [0, len) is live */
  size_t len, cap;
};

/* Where in the document, for messages: built only when one is needed. */
struct go_where
{
  const struct go_where *up;
  const char *key; /* NULL: an index */
  size_t index;
};

static void value_free (struct go_value *v);

static void
value_reset (struct go_value *v)
{
  for (size_t i = 0; i < v->n_members; i++)
    value_free (v->members[i].value);
  for (size_t i = 0; i < v->cap; i++)
    value_free (v->backing[i]);
  free (v->members);
  free (v->backing);
  *v = (struct go_value){ .type = v->type };
}

static void
value_free (struct go_value *v)
{
  if (v == NULL)
    return;
  value_reset (v);
  free (v);
}

static char *
where_text (const struct go_where *w)
{
  char *up, *out;

  if (w == NULL)
    return xstrdup ("");
  up = where_text (w->up);
  if (w->key)
    xasprintf (&out, "%s%s%s", up, *up ? "." : "", w->key);
  else
    xasprintf (&out, "%s[%zu]", up, w->index);
  free (up);
  return out;
}

static const char *
kind_name (enum go_kind kind)
{
  static const char *const names[]
      = { "string", "boolean", "int64", "uint16", "uint32", "uint64", "object", "array", "object", "value" };
  return names[kind];
}

static int
mismatch (const struct go_where *w, const struct go_type *t, const struct hr_json *src, hr_error_t *err)
{
  cleanup_free char *where = where_text (w);
  return hr_error_set (err, 0, "%s: a JSON %s where runc's Go decoder needs a%s %s", *where ? where : "the spec",
                       hr_json_type_name (src->type), t->kind == GO_INT64 || t->kind >= GO_STRUCT ? "n" : "",
                       kind_name (t->kind));
}

static bool
number_fits (const struct hr_json *num, enum go_kind kind)
{
  int64_t i;
  uint64_t u;

  if (kind == GO_INT64)
    return hr_json_number_to_int64 (num, &i) == 0;
  if (hr_json_number_to_uint64 (num, &u) < 0)
    return false;
  if (kind == GO_UINT16)
    return u <= UINT16_MAX;
  if (kind == GO_UINT32)
    return u <= UINT32_MAX;
  return true;
}

static int
decode_scalar (struct go_value *v, const struct hr_json *src, const struct go_where *w, hr_error_t *err)
{
  enum go_kind k = v->type->kind;
  bool ok = k == GO_ANY || (k == GO_STRING && src->type == HR_JSON_STRING)
            || (k == GO_BOOL && (src->type == HR_JSON_TRUE || src->type == HR_JSON_FALSE))
            || (k >= GO_INT64 && k <= GO_UINT64 && src->type == HR_JSON_NUMBER);

  if (!ok)
    return mismatch (w, v->type, src, err);
  if (src->type == HR_JSON_NUMBER && k != GO_ANY && !number_fits (src, k))
    {
      cleanup_free char *where = where_text (w);
      return hr_error_set (err, 0, "%s: %s is not a valid %s (runc's Go decoder would refuse the spec)", where,
                           src->text, kind_name (k));
    }
  value_reset (v);
  v->text = src;
  return 0;
}

static int decode (struct go_value **slot, const struct go_type *t, const struct hr_json *src, const struct go_where *w,
                   hr_error_t *err);

static struct go_member *
add_member (struct go_value *v, const char *key, int field)
{
  if (v->n_members == v->members_cap)
    {
      v->members_cap = v->members_cap ? v->members_cap * 2 : 8;
      v->members = xrealloc (v->members, v->members_cap * sizeof *v->members);
    }
  v->members[v->n_members] = (struct go_member){ .key = key, .field = field };
  return &v->members[v->n_members++];
}

/* encoding/json's field lookup: the exact tag, else the first tag equal
 * under its folding. */
static int
find_field (const struct go_field *fields, const char *key)
{
  for (int i = 0; fields[i].name; i++)
    if (strcmp (fields[i].name, key) == 0)
      return i;
  for (int i = 0; fields[i].name; i++)
    if (hr_json_key_matches (key, fields[i].name))
      return i;
  return -1;
}

static int
decode_struct (struct go_value *v, const struct hr_json *src, const struct go_where *w, hr_error_t *err)
{
  const struct go_field *fields = v->type->fields;

  for (size_t i = 0; i < src->len; i++)
    {
      const char *key = src->members[i].key;
      int f = find_field (fields, key);
      struct go_member *m = NULL;
      struct go_where here = { w, key, 0 };

      if (f < 0)
        {
          add_member (v, key, -1)->raw = src->members[i].value;
          continue;
        }
      for (size_t j = 0; j < v->n_members && m == NULL; j++)
        if (v->members[j].field == f)
          m = &v->members[j];
      if (m == NULL)
        m = add_member (v, key, f);
      m->times++;
      here.key = fields[f].name;
      if (decode (&m->value, fields[f].type, src->members[i].value, &here, err) < 0)
        return -1;
    }
  return 0;
}

static int
decode_map (struct go_value *v, const struct hr_json *src, const struct go_where *w, hr_error_t *err)
{
  for (size_t i = 0; i < src->len; i++)
    {
      const char *key = src->members[i].key;
      struct go_where here = { w, key, 0 };
      struct go_value *fresh = NULL;
      struct go_member *m = NULL;

      /* Go decodes each map value into a new zero element, then stores it */
      if (decode (&fresh, v->type->elem, src->members[i].value, &here, err) < 0)
        return value_free (fresh), -1;
      for (size_t j = 0; j < v->n_members && m == NULL; j++)
        if (strcmp (v->members[j].key, key) == 0)
          m = &v->members[j];
      if (m == NULL)
        m = add_member (v, key, -1);
      value_free (m->value);
      m->value = fresh;
    }
  return 0;
}

static int
decode_slice (struct go_value *v, const struct hr_json *src, const struct go_where *w, hr_error_t *err)
{
  size_t i;

  for (i = 0; i < src->len; i++)
    {
      struct go_where here = { w, NULL, i };
      if (i >= v->cap)
        {
          /* reflect.MakeSlice + Copy: only the live elements move */
          size_t newcap = v->cap + v->cap / 2 < 4 ? 4 : v->cap + v->cap / 2;
          struct go_value **bigger = xcalloc (newcap, sizeof *bigger);
          if (v->len > 0)
            memcpy (bigger, v->backing, v->len * sizeof *bigger);
          for (size_t j = v->len; j < v->cap; j++)
            value_free (v->backing[j]);
          free (v->backing);
          v->backing = bigger;
          v->cap = newcap;
        }
      if (i >= v->len)
        v->len = i + 1; /* what was left at i (or zero) is decoded into */
      if (decode (&v->backing[i], v->type->elem, src->items[i], &here, err) < 0)
        return -1;
    }
  if (i < v->len)
    v->len = i;
  if (i == 0)
    {
      value_reset (v); /* an empty array makes a new empty slice */
      v->null = false;
    }
  return 0;
}

static bool
nullable (const struct go_type *t)
{
  return t->pointer || t->kind == GO_SLICE || t->kind == GO_MAP || t->kind == GO_ANY;
}

static int
decode (struct go_value **slot, const struct go_type *t, const struct hr_json *src, const struct go_where *w,
        hr_error_t *err)
{
  struct go_value *v = *slot;

  if (v == NULL)
    {
      v = *slot = xcalloc (1, sizeof *v);
      v->type = t;
      v->null = true; /* zero: nil, or a value nobody set */
    }
  if (src->type == HR_JSON_NULL)
    {
      if (nullable (t))
        {
          value_reset (v);
          v->null = true;
        }
      return 0; /* any other value stays as it was */
    }
  if (t->kind == GO_ANY || t->kind < GO_STRUCT)
    {
      if (decode_scalar (v, src, w, err) < 0)
        return -1;
      v->null = false;
      return 0;
    }
  if ((t->kind == GO_SLICE) != (src->type == HR_JSON_ARRAY) || (t->kind != GO_SLICE && src->type != HR_JSON_OBJECT))
    return mismatch (w, t, src, err);
  if (v->null)
    value_reset (v); /* a nil pointer, slice or map gets a new value */
  v->null = false;
  if (t->kind == GO_STRUCT)
    return decode_struct (v, src, w, err);
  if (t->kind == GO_MAP)
    return decode_map (v, src, w, err);
  return decode_slice (v, src, w, err);
}

/* ---- back to a tree ---- */

static struct hr_json *
zero_of (const struct go_type *t)
{
  switch (t->kind)
    {
    case GO_STRING:
      return hr_json_new_string ("");
    case GO_BOOL:
      return hr_json_new_bool (false);
    case GO_STRUCT:
      return hr_json_new (HR_JSON_OBJECT);
    case GO_INT64:
    case GO_UINT16:
    case GO_UINT32:
    case GO_UINT64:
      return hr_json_new_int (0);
    case GO_SLICE:
    case GO_MAP:
    case GO_ANY:
    default:
      return hr_json_new (HR_JSON_NULL);
    }
}

/* element: in a slice or a map, where a value left null is the zero value
 * (as a struct field it stays a null, which Go reads the same way). */
static struct hr_json *
to_tree (const struct go_value *v, bool element)
{
  struct hr_json *out;

  if (v == NULL || v->null)
    return element && !nullable (v ? v->type : &t_any) && v ? zero_of (v->type) : hr_json_new (HR_JSON_NULL);
  if (v->text)
    return hr_json_clone (v->text);
  if (v->type->kind == GO_SLICE)
    {
      out = hr_json_new (HR_JSON_ARRAY);
      for (size_t i = 0; i < v->len; i++)
        hr_json_append (out, to_tree (v->backing[i], true));
      return out;
    }
  out = hr_json_new (HR_JSON_OBJECT);
  out->go_map = v->type->kind == GO_MAP;
  out->cap = v->n_members;
  out->members = v->n_members ? xmalloc (v->n_members * sizeof *out->members) : NULL;
  for (size_t i = 0; i < v->n_members; i++)
    {
      const struct go_member *m = &v->members[i];
      /* a field given several times is written once, under its tag */
      const char *key = m->field >= 0 && m->times > 1 ? v->type->fields[m->field].name : m->key;
      struct hr_json *value = m->raw ? hr_json_clone (m->raw) : to_tree (m->value, out->go_map);
      out->members[out->len++] = (struct hr_json_member){ xstrdup (key), value };
    }
  return out;
}

static int
decode_document (const struct hr_json *doc, const struct go_type *type, const char *where, struct hr_json **out,
                 hr_error_t *err)
{
  struct go_value *v = NULL;
  struct go_where top = { NULL, where, 0 };
  int ret;

  if (doc->type != HR_JSON_OBJECT)
    return hr_error_set (err, 0, "the %s is a JSON %s, not an object", *where ? where : "spec",
                         hr_json_type_name (doc->type));
  ret = decode (&v, type, doc, *where ? &top : NULL, err);
  if (ret == 0 && out)
    *out = to_tree (v, false);
  value_free (v);
  return ret;
}

int
hr_go_decode_spec (const struct hr_json *doc, struct hr_json **out, hr_error_t *err)
{
  return decode_document (doc, &Spec, "", out, err);
}

int
hr_go_decode_process (const struct hr_json *doc, struct hr_json **out, hr_error_t *err)
{
  return decode_document (doc, &Process, "process", out, err);
}

struct hr_json *
hr_spec_parse_go (const char *text, size_t len, hr_error_t *err)
{
  cleanup_json struct hr_json *all = hr_json_parse_all_members (text, len, err);
  struct hr_json *out = NULL;

  if (all == NULL || hr_go_decode_spec (all, &out, err) < 0)
    return NULL;
  return out;
}

int
hr_check_go_types_process (const struct hr_json *process, const char *where, hr_error_t *err)
{
  struct go_value *v = NULL;
  struct go_where top = { NULL, where, 0 };
  int ret;

  if (process == NULL || process->type == HR_JSON_NULL)
    return 0;
  ret = decode (&v, &Process, process, *where ? &top : NULL, err);
  value_free (v);
  return ret;
}

int
hr_check_go_types_spec (const struct hr_json *spec, hr_error_t *err)
{
  return hr_go_decode_spec (spec, NULL, err);
}
