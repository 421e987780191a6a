/* SPDX-License-Identifier: Apache-2.0 */
/* bind_options: host files bound into a container must not carry setuid
 * binaries or device nodes into it, and no mount may propagate back to the
 * host (shared propagation would let the container's mounts appear there). */
#include <inttypes.h>
#include <string.h>

#include "hardrun/util.h"
#include "rules.h"
#include "spec_access.h"

/* Options that would undo nosuid/nodev (runc applies them in order) or share
 * mount events with the host. */
static const char *const unsafe_options[] = { "suid", "dev", "shared", "rshared", NULL };
static const char *const required_options[] = { "nosuid", "nodev", NULL };

static bool
is_unsafe (const char *opt)
{
  for (size_t i = 0; unsafe_options[i]; i++)
    if (strcmp (opt, unsafe_options[i]) == 0)
      return true;
  return false;
}

static void
describe_changes (struct hr_json *options, struct hr_strv *changes)
{
  for (size_t i = 0; options && i < options->len; i++)
    if (is_unsafe (options->items[i]->text))
      {
        char *s;
        xasprintf (&s, "-%s", options->items[i]->text);
        hr_strv_push_take (changes, s);
      }
  for (size_t i = 0; required_options[i]; i++)
    if (!hr_json_strings_contain (options, required_options[i]))
      {
        char *s;
        xasprintf (&s, "+%s", required_options[i]);
        hr_strv_push_take (changes, s);
      }
}

static void
fix_options (struct hr_json *mount)
{
  struct hr_json *options = hr_json_ensure_array (mount, "options");

  for (size_t i = options->len; i-- > 0;)
    if (is_unsafe (options->items[i]->text))
      hr_json_remove_at (options, i);
  for (size_t i = 0; required_options[i]; i++)
    if (!hr_json_strings_contain (options, required_options[i]))
      hr_json_append (options, hr_json_new_string (required_options[i]));
}

/* runc applies a mount's options in order: of "ro" and "rw" the last wins.
 * Both named is rewritten to the one runc would apply, so no later reader
 * (a rule, staging, an auditor) takes "ro" somewhere in the list for a
 * read-only mount. */
static void
normalize_read_only (struct hr_rule_ctx *ctx, struct hr_json *options, const char *dest)
{
  const char *last = NULL;

  if (!hr_json_strings_contain (options, "ro") || !hr_json_strings_contain (options, "rw"))
    return;
  for (size_t i = 0; i < options->len; i++)
    if (strcmp (options->items[i]->text, "ro") == 0 || strcmp (options->items[i]->text, "rw") == 0)
      last = options->items[i]->text;
  last = strcmp (last, "ro") == 0 ? "ro" : "rw";
  if (!hr_finding (ctx, "bind mount at \"%s\": options ro and rw, the runtime applies the last, \"%s\"", dest, last))
    return;
  for (size_t i = options->len; i-- > 0;)
    if (strcmp (options->items[i]->text, "ro") == 0 || strcmp (options->items[i]->text, "rw") == 0)
      hr_json_remove_at (options, i);
  hr_json_append (options, hr_json_new_string (last));
}

static int
check_mount (struct hr_rule_ctx *ctx, struct hr_json *mount, hr_error_t *err)
{
  struct hr_json *options;
  struct hr_strv changes = { 0 };
  const char *dest;
  cleanup_free char *text = NULL;

  if (hr_mount_options (mount, &options, err) < 0 || hr_entry_string (mount, "destination", "mounts", &dest, err) < 0)
    return -1;
  if (options)
    normalize_read_only (ctx, options, dest);
  describe_changes (options, &changes);
  if (changes.len > 0)
    {
      text = hr_join_names (&changes);
      if (hr_finding (ctx, "bind mount at \"%s\": options %s", dest, text))
        fix_options (mount);
    }
  hr_strv_clear (&changes);
  return 0;
}

static int
check_rootfs_propagation (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *linux_ = hr_json_get_value (ctx->doc, "linux");
  const char *propagation = NULL;

  if (hr_json_read_string (linux_, "rootfsPropagation", "linux", &propagation, err) < 0)
    return -1;
  if (propagation && (strcmp (propagation, "shared") == 0 || strcmp (propagation, "rshared") == 0)
      && hr_finding (ctx, "rootfsPropagation \"%s\" removed (the runtime's private default applies)", propagation))
    hr_json_remove (linux_, "rootfsPropagation");
  return 0;
}

static const struct hr_setting settings[] = {
  { "max_binds", HR_SETTING_INT },
  { NULL, 0 },
};

/* Under a user namespace every bind is staged as a mount of its own in the
 * engine's mount namespace: a spec of 100,000 file binds filled the host's
 * mount table up to fs.mount-max.  No rewrite can cure that: refused. */
static void
check_bind_count (struct hr_rule_ctx *ctx, const struct hr_json *mounts)
{
  int64_t max = hr_setting_int (ctx, "max_binds");
  int64_t n = 0;

  for (size_t i = 0; mounts && i < mounts->len; i++)
    n += hr_mount_is_bind (mounts->items[i]);
  if (n > max)
    hr_violation (ctx,
                  "the spec has %" PRId64 " bind mounts, more than the policy's bind_options.max_binds (%" PRId64 ")",
                  n, max);
}

static int
apply_spec (struct hr_rule_ctx *ctx, hr_error_t *err)
{
  struct hr_json *mounts;

  if (hr_spec_mounts (ctx->doc, &mounts, err) < 0)
    return -1;
  check_bind_count (ctx, mounts);
  for (size_t i = 0; mounts && i < mounts->len; i++)
    {
      struct hr_json *options;
      if (hr_mount_options (mounts->items[i], &options, err) < 0)
        return -1;
      if (hr_mount_is_bind (mounts->items[i]))
        {
          if (check_mount (ctx, mounts->items[i], err) < 0)
            return -1;
        }
      else if ((hr_json_strings_contain (options, "shared") || hr_json_strings_contain (options, "rshared"))
               && check_mount (ctx, mounts->items[i], err) < 0)
        return -1;
    }
  return check_rootfs_propagation (ctx, err);
}

const struct hr_rule_def hr_rule_bind_options = {
  .name = "bind_options",
  .settings = settings,
  .apply_spec = apply_spec,
};
