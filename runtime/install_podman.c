/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun install podman: a containers.conf drop-in of hardrun's own.
 * podman 4.3 (containers/common 0.50) reads /etc/containers/containers.conf
 * and then /etc/containers/containers.conf.d/NAME.conf in order, each file's
 * settings over the earlier ones and [engine.runtimes] merged name by name,
 * so the operator's containers.conf is never touched.  podman reads them at
 * every command: nothing to reload.  CONTAINERS_CONF, when set, replaces all
 * of them (a caller's choice, like `podman --runtime /usr/sbin/runc`). */
#include <stdio.h>
#include <string.h>

#include "hardrun/util.h"
#include "install.h"

static int
edit_dropin (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out, size_t *out_len,
             enum hr_install_want *want, hr_error_t *err)
{
  cleanup_free char *path = hr_install_toml_string (o->path);
  char *buf = NULL;
  FILE *f = open_memstream (&buf, out_len);

  if (f == NULL)
    abort ();
  fputs ("# written by hardrun install podman: hardrun install podman --uninstall removes it\n", f);
  fputs ("[engine]\n", f);
  if (o->set_default || o->lockdown)
    fputs ("runtime = \"hardrun\"\n", f);
  fputs ("\n[engine.runtimes]\n", f);
  fprintf (f, "hardrun = [%s]\n", path);
  /* --lockdown: the names podman knows built in resolve to hardrun too */
  if (o->lockdown)
    fprintf (f, "runc = [%s]\ncrun = [%s]\n", path, path);
  if (fclose (f) != 0)
    abort ();
  *out = buf;
  *want = HR_INSTALL_WRITE;
  return 0;
}

static const struct hr_install_target podman_targets[] = {
  { "/etc/containers/containers.conf.d/50-hardrun.conf", 0644, false, edit_dropin },
};

const struct hr_install_engine hr_install_podman = {
  .name = "podman",
  .daemon = NULL,
  .reload = HR_RELOAD_NONE,
  .targets = podman_targets,
  .n_targets = HR_ARRAY_SIZE (podman_targets),
};
