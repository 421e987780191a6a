/* SPDX-License-Identifier: Apache-2.0 */
/* What hardrun trusts: SHA-256 against known digests, the ownership and
 * mode rules for the runtime and the policy, and the runtime pin. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "runtime_trust.h"
#include "sha256.h"

static void
digest_of (const char *data, size_t len, size_t chunk, char out[65])
{
  struct hr_sha256 ctx;

  hr_sha256_init (&ctx);
  for (size_t off = 0; off < len; off += chunk)
    hr_sha256_update (&ctx, data + off, len - off < chunk ? len - off : chunk);
  hr_sha256_hex (&ctx, out);
}

/* FIPS 180-4's examples (the 56-byte one crosses the padding boundary),
 * fed whole and a byte at a time. */
Test (sha256, known_digests)
{
  static const struct
  {
    const char *data;
    size_t len;
    const char *digest;
  } cases[] = {
    { "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
  };
  char got[65];

  for (size_t i = 0; i < HR_ARRAY_SIZE (cases); i++)
    {
      digest_of (cases[i].data, cases[i].len, cases[i].len ? cases[i].len : 1, got);
      cr_assert_str_eq (got, cases[i].digest, "case %zu whole", i);
      digest_of (cases[i].data, cases[i].len, 1, got);
      cr_assert_str_eq (got, cases[i].digest, "case %zu byte by byte", i);
    }
}

static char dir[] = "/tmp/hardrun-trust-XXXXXX";

static void
make_dir (void)
{
  cr_assert_not_null (mkdtemp (dir));
  chmod (dir, 0755);
}

static void
remove_dir (void)
{
  char cmd[64];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq (system (cmd), 0);
}

static char *
file_with_mode (const char *name, const char *content, mode_t mode)
{
  char *path;
  FILE *f;

  xasprintf (&path, "%s/%s", dir, name);
  f = fopen (path, "w");
  cr_assert_not_null (f);
  fputs (content, f);
  fclose (f);
  chmod (path, mode);
  return path;
}

Test (trust, root_owned_files_and_directories, .init = make_dir, .fini = remove_dir)
{
  cleanup_free char *good = file_with_mode ("runc", "#!/bin/sh\n", 0755);
  cleanup_free char *group = file_with_mode ("group-writable", "x", 0775);
  cleanup_free char *others = file_with_mode ("world-writable", "x", 0757);
  cleanup_free char *sub = NULL, *in_open_dir = NULL;
  hr_error_t err = NULL;

  if (geteuid () != 0)
    cr_skip_test ("needs root: the files must be owned by root");
  cr_assert_eq (hr_check_root_owned (good, "the real runtime", false, &err), 0, "%s", err ? err->msg : "");
  cr_assert_eq (hr_check_root_owned (group, "the real runtime", false, &err), -1);
  cr_assert_not_null (strstr (err->msg, "writable by its group (mode 0775)"), "%s", err->msg);
  hr_error_free (&err);
  /* the policy may be group-writable (a root-only admin group), never by others */
  cr_assert_eq (hr_check_root_owned (group, "the policy", true, &err), 0);
  cr_assert_eq (hr_check_root_owned (others, "the policy", true, &err), -1);
  cr_assert_not_null (strstr (err->msg, "writable by others"), "%s", err->msg);
  hr_error_free (&err);

  /* a directory anyone can write (and not sticky) could swap the file */
  xasprintf (&sub, "%s/open", dir);
  cr_assert_eq (mkdir (sub, 0777), 0);
  chmod (sub, 0777);
  xasprintf (&in_open_dir, "%s/runc", sub);
  cr_assert_eq (rename (good, in_open_dir), 0);
  cr_assert_eq (hr_check_root_owned (in_open_dir, "the real runtime", false, &err), -1);
  cr_assert_not_null (strstr (err->msg, sub), "%s", err->msg);
  hr_error_free (&err);
  /* sticky, as /tmp: only root may replace root's files there */
  chmod (sub, 01777);
  cr_assert_eq (hr_check_root_owned (in_open_dir, "the real runtime", false, &err), 0, "%s", err ? err->msg : "");

  /* owned by someone else */
  cr_assert_eq (chown (in_open_dir, 65534, 65534), 0);
  cr_assert_eq (hr_check_root_owned (in_open_dir, "the real runtime", false, &err), -1);
  cr_assert_not_null (strstr (err->msg, "owned by uid 65534, not root"), "%s", err->msg);
  hr_error_free (&err);
}

Test (trust, runtime_pin, .init = make_dir, .fini = remove_dir)
{
  cleanup_free char *runtime = file_with_mode ("runc", "abc", 0755);
  cleanup_free char *changed = NULL;
  hr_error_t err = NULL;

  if (geteuid () != 0)
    cr_skip_test ("needs root: the runtime must be owned by root");
  cr_assert_eq (hr_check_runtime (runtime, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", &err), 0,
                "%s", err ? err->msg : "");
  /* remembered: checked again without hashing, still right */
  cr_assert_eq (hr_check_runtime (runtime, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", &err),
                0);
  /* the file changes (its size too: timestamps may not have moved within a
   * clock tick): its new contents are hashed, and refused */
  changed = file_with_mode ("runc", "abcd", 0755);
  cr_assert_eq (hr_check_runtime (runtime, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", &err),
                -1);
  cr_assert_not_null (strstr (err->msg, "is not the one the policy pins"), "%s", err->msg);
  hr_error_free (&err);
}
