/* SPDX-License-Identifier: Apache-2.0 */
/* secrets: credentials written into the spec (env values, args) instead of
 * injected at run time from a secret store.  They end up in the bundle, in
 * `docker inspect`, in the engine's state and in every backup of them.
 * Found by two signs: a value in a well-known token format wherever it
 * appears, and a high-entropy value under a name that says it is a secret
 * (PASSWORD, TOKEN, ...).  No rewrite can cure a leaked secret, so the
 * actions are audit (the default) and deny.  Messages name the variable or
 * the argument's position, never the value: they go to logs. */
#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "spec_access.h"

static const struct hr_setting settings[] = {
  { "names", HR_SETTING_STRINGS },
  { "min_entropy_bits", HR_SETTING_INT },
  { NULL, 0 },
};

/* Token formats that are secrets whatever they are called.  Patterns are
 * searched anywhere in the value (a token inside a URL or a header counts). */
static const struct
{
  const char *what;
  const char *pattern;
} token_formats[] = {
  { "an AWS access key id", "(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}" },
  { "a GitHub token", "(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}" },
  { "a GitLab token", "glpat-[A-Za-z0-9_-]{20}" },
  { "a Slack token", "xox[abposr]-[A-Za-z0-9-]{10,}" },
  { "a Google API key", "AIza[0-9A-Za-z_-]{35}" },
  { "a Stripe secret key", "(sk|rk)_live_[0-9A-Za-z]{24,}" },
  { "a private key", "-----BEGIN ([A-Z]+ )*PRIVATE KEY-----" },
  { "a JSON Web Token", "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}" },
};

#define N_FORMATS (sizeof token_formats / sizeof token_formats[0])

static regex_t compiled[N_FORMATS];
static bool formats_ready;

/* The patterns are constants: a failure to compile them is a bug. */
static void
compile_formats (void)
{
  if (formats_ready)
    return;
  for (size_t i = 0; i < N_FORMATS; i++)
    if (regcomp (&compiled[i], token_formats[i].pattern, REG_EXTENDED | REG_NOSUB) != 0)
      abort ();
  formats_ready = true;
}

/* What kind of token value is, or NULL. */
static const char *
token_format (const char *value)
{
  compile_formats ();
  for (size_t i = 0; i < N_FORMATS; i++)
    if (regexec (&compiled[i], value, 0, NULL, 0) == 0)
      return token_formats[i].what;
  return NULL;
}

/* Shannon entropy of the value's bytes, in bits, times its length: about
 * 16 bits for "changeme", over 90 for 16 random base64 characters. */
static double
entropy_bits (const char *value)
{
  size_t counts[256] = { 0 }, len = strlen (value);
  double bits = 0;

  for (const unsigned char *p = (const unsigned char *)value; *p; p++)
    counts[*p]++;
  for (size_t c = 0; c < 256; c++)
    if (counts[c])
      {
        double p = (double)counts[c] / (double)len;
        bits -= p * log2 (p);
      }
  return bits * (double)len;
}

static bool
name_says_secret (const struct hr_rule_ctx *ctx, const char *name, size_t name_len)
{
  const struct hr_json *names = hr_setting_get (ctx, "names");
  cleanup_free char *upper = xstrndup (name, name_len);

  for (char *p = upper; *p; p++)
    *p = (char)toupper ((unsigned char)*p);
  /* a reference to the secret, not the secret: FOO_PASSWORD_FILE=/run/secrets/x */
  if (hr_has_suffix (upper, "_FILE") || hr_has_suffix (upper, "_PATH"))
    return false;
  for (size_t i = 0; names && i < names->len; i++)
    if (fnmatch (names->items[i]->text, upper, 0) == 0)
      return true;
  return false;
}

/* Why NAME=VALUE looks like a credential, or NULL.  name may be NULL (a bare
 * argument): then only the token formats count. */
static const char *
secret_kind (const struct hr_rule_ctx *ctx, const char *name, size_t name_len, const char *value)
{
  const char *format = token_format (value);

  if (format != NULL)
    return format;
  if (name == NULL || value[0] == '/' || !name_says_secret (ctx, name, name_len))
    return NULL;
  if (entropy_bits (value) < (double)hr_setting_int (ctx, "min_entropy_bits"))
    return NULL;
  return "a high-entropy value under a credential's name";
}

static int
check_env (struct hr_rule_ctx *ctx, const struct hr_json *env, hr_error_t *err)
{
  for (size_t i = 0; env && i < env->len; i++)
    {
      const char *entry = env->items[i]->text, *eq = strchr (entry, '=');
      const char *kind;

      if (eq == NULL)
        continue;
      kind = secret_kind (ctx, entry, (size_t)(eq - entry), eq + 1);
      if (kind != NULL)
        hr_violation (ctx, "env %.*s holds %s: inject it at run time from a secret store", (int)(eq - entry), entry,
                      kind);
    }
  return 0;
}

/* --token=VALUE and NAME=VALUE arguments are judged as variables; others
 * by their format alone. */
static int
check_args (struct hr_rule_ctx *ctx, const struct hr_json *args, hr_error_t *err)
{
  for (size_t i = 0; args && i < args->len; i++)
    {
      const char *arg = args->items[i]->text, *eq = strchr (arg, '='), *name = NULL;
      const char *kind;
      size_t name_len = 0;

      if (eq != NULL)
        {
          name = arg;
          while (*name == '-')
            name++;
          name_len = (size_t)(eq - name);
        }
      kind = secret_kind (ctx, name, name_len, eq ? eq + 1 : arg);
      if (kind == NULL)
        continue;
      if (name != NULL)
        hr_violation (ctx, "process.args[%zu] (%.*s) holds %s: pass it at run time from a secret store", i,
                      (int)name_len, name, kind);
      else
        hr_violation (ctx, "process.args[%zu] holds %s: pass it at run time from a secret store", i, kind);
    }
  return 0;
}

static int
check_strings (const struct hr_json *list, const char *where, hr_error_t *err)
{
  for (size_t i = 0; list && i < list->len; i++)
    if (!hr_json_is_string (list->items[i]))
      return hr_error_set (err, 0, "%s: expected strings", where);
  return 0;
}

static int
apply_process (struct hr_rule_ctx *ctx, struct hr_json *process, hr_error_t *err)
{
  const struct hr_json *env, *args;

  if (hr_json_check_type (process, "env", HR_JSON_ARRAY, "process", err) < 0
      || hr_json_check_type (process, "args", HR_JSON_ARRAY, "process", err) < 0)
    return -1;
  env = hr_json_get_value (process, "env");
  args = hr_json_get_value (process, "args");
  if (check_strings (env, "process.env", err) < 0 || check_strings (args, "process.args", err) < 0)
    return -1;
  return check_env (ctx, env, err) < 0 ? -1 : check_args (ctx, args, err);
}

static int
validate (const struct hr_json *rule, hr_error_t *err)
{
  const struct hr_json *names = hr_json_get_value (rule, "names");

  for (size_t i = 0; names && i < names->len; i++)
    for (const char *p = names->items[i]->text; *p; p++)
      if (islower ((unsigned char)*p))
        return hr_error_set (
            err, 0,
            "secrets.names: \"%s\": patterns are matched against the upper-cased name, write them in upper case",
            names->items[i]->text);
  return 0;
}

const struct hr_rule_def hr_rule_secrets = {
  .name = "secrets",
  .settings = settings,
  .validate = validate,
  .apply_process = apply_process,
};
