/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded default seccomp profile (policy/default-seccomp.json), made
 * concrete for one container: architectures of this machine, capability
 * groups it qualifies for, and never a must-deny system call. */
#include <seccomp.h>
#include <string.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"

static const char *
native_arch_key (void)
{
  switch (seccomp_arch_native ())
    {
    case SCMP_ARCH_AARCH64:
      return "aarch64";
    default:
      return "x86_64";
    }
}

static bool
all_present (const struct hr_json *required, const struct hr_json *bounding)
{
  for (size_t i = 0; required && i < required->len; i++)
    if (!hr_json_strings_contain (bounding, required->items[i]->text))
      return false;
  return true;
}

static struct hr_json *
filtered_names (const struct hr_json *names, const struct hr_json *must_deny)
{
  struct hr_json *out = hr_json_new (HR_JSON_ARRAY);

  for (size_t i = 0; i < names->len; i++)
    if (!hr_json_strings_contain (must_deny, names->items[i]->text))
      hr_json_append (out, hr_json_clone (names->items[i]));
  return out;
}

static void
add_group (struct hr_json *syscalls, const struct hr_json *group, const struct hr_json *bounding,
           const struct hr_json *must_deny)
{
  struct hr_json *rule;
  struct hr_json *names;

  if (!all_present (hr_json_get (group, "requires_capabilities"), bounding))
    return;
  names = filtered_names (hr_json_get (group, "names"), must_deny);
  if (names->len == 0)
    {
      hr_json_free (names);
      return;
    }
  rule = hr_json_clone (group);
  hr_json_remove (rule, "requires_capabilities");
  hr_json_set (rule, "names", names);
  hr_json_append (syscalls, rule);
}

static struct hr_json *
native_architectures_of (const struct hr_json *embedded)
{
  return hr_json_clone (hr_json_get (hr_json_get (embedded, "architectures"), native_arch_key ()));
}

struct hr_json *
hr_seccomp_native_architectures (void)
{
  hr_error_t err = NULL;
  cleanup_json struct hr_json *embedded
      = hr_json_parse (hr_default_seccomp_text, strlen (hr_default_seccomp_text), &err);

  if (embedded == NULL)
    abort (); /* checked by the unit tests */
  return native_architectures_of (embedded);
}

struct hr_json *
hr_seccomp_default_profile (const struct hr_json *bounding, const struct hr_json *must_deny)
{
  hr_error_t err = NULL;
  cleanup_json struct hr_json *embedded
      = hr_json_parse (hr_default_seccomp_text, strlen (hr_default_seccomp_text), &err);
  struct hr_json *profile, *syscalls;
  const struct hr_json *groups;

  if (embedded == NULL)
    abort (); /* checked by the unit tests */
  profile = hr_json_new (HR_JSON_OBJECT);
  hr_json_set (profile, "defaultAction", hr_json_clone (hr_json_get (embedded, "defaultAction")));
  hr_json_set (profile, "defaultErrnoRet", hr_json_clone (hr_json_get (embedded, "defaultErrnoRet")));
  hr_json_set (profile, "architectures", native_architectures_of (embedded));
  syscalls = hr_json_new (HR_JSON_ARRAY);
  groups = hr_json_get (embedded, "syscalls");
  for (size_t i = 0; i < groups->len; i++)
    add_group (syscalls, groups->items[i], bounding, must_deny);
  hr_json_set (profile, "syscalls", syscalls);
  return profile;
}
