/* SPDX-License-Identifier: Apache-2.0 */
/* hardrun install: registering hardrun with an engine's own configuration.
 * cmd_install.c owns the files (backups, atomic writes, restore) and the
 * reload; each install_ENGINE.c only says what a file should hold, computed
 * from the file's original bytes, so that a second run gives the same bytes
 * and --uninstall is a plain restore of the original. */
#ifndef HARDRUN_INSTALL_H
#define HARDRUN_INSTALL_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/error.h"

struct hr_install_opts
{
  const char *engine;
  const char *node_root; /* "" for this machine, else a directory holding the node's / */
  const char *path;      /* hardrun as the engine will run it (a path on the node) */
  bool set_default;      /* --default */
  bool lockdown;         /* --lockdown (implies --default) */
  bool uninstall;
  bool dry_run;
  bool force;
};

/* What an edit function gives back. */
enum hr_install_want
{
  HR_INSTALL_WRITE,    /* the file must hold *out */
  HR_INSTALL_ORIGINAL, /* the file must be as it was before hardrun (nothing of hardrun's) */
};

/* orig is the file as it was before hardrun touched it (NUL-terminated), or
 * NULL when it did not exist.  Returns <0 (err filled) to refuse. */
typedef int (*hr_install_edit_fn) (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out,
                                   size_t *out_len, enum hr_install_want *want, hr_error_t *err);

struct hr_install_target
{
  const char *path;        /* on the node */
  unsigned int new_mode;   /* the mode of a file hardrun creates */
  bool keep_if_changed;    /* an operator's edit since install is kept by --uninstall (profiles) */
  hr_install_edit_fn edit; /* what the file must hold */
};

enum hr_install_reload
{
  HR_RELOAD_SIGHUP,  /* dockerd rereads its runtimes on SIGHUP */
  HR_RELOAD_RESTART, /* containerd reads its config only at start */
  HR_RELOAD_NONE,    /* podman reads containers.conf at every command */
};

/* A file to write and reload first, when the daemon would keep something of
 * hardrun's that the final file does not undo (dockerd's SIGHUP); returns
 * the kind of transition for wait, 0 when none is needed. */
typedef int (*hr_install_transition_fn) (const char *final, size_t len, char **out, size_t *out_len, hr_error_t *err);
typedef int (*hr_install_wait_fn) (int kind, hr_error_t *err);

struct hr_install_engine
{
  const char *name;
  const char *daemon; /* the process name to reload */
  enum hr_install_reload reload;
  const char *transition_path; /* the file transition is about, or NULL */
  hr_install_transition_fn transition;
  hr_install_wait_fn wait_transition;
  const struct hr_install_target *targets;
  size_t n_targets;
};

extern const struct hr_install_engine hr_install_docker;
extern const struct hr_install_engine hr_install_containerd;
extern const struct hr_install_engine hr_install_podman;

/* The node path of the example profiles the docker runtimes name. */
#define HR_INSTALL_PROFILES "/etc/hardrun/profiles.json"
/* Where hardrun as `runc` shadows the real runc (docker's lock-down). */
#define HR_INSTALL_SHADOW_RUNC "/usr/local/sbin/runc"

/* install_docker.c: the shared targets (the example profiles, the shadow runc) */
int hr_install_edit_profiles (const struct hr_install_opts *o, const char *orig, size_t orig_len, char **out,
                              size_t *out_len, enum hr_install_want *want, hr_error_t *err);

/* install_docker_api.c: dockerd's SIGHUP keeps an unset default-runtime */
enum
{
  HR_DOCKER_UNSET_DEFAULT = 1,
  HR_DOCKER_UNSET_RUNTIMES = 2,
};
int hr_install_docker_transition (const char *final, size_t len, char **out, size_t *out_len, hr_error_t *err);
int hr_install_docker_wait_transition (int kind, hr_error_t *err);

/* Embedded examples (examples/policies/profiles.json, examples/docker/daemon.json). */
extern const char hr_example_profiles_text[];
extern const char hr_example_daemon_json_text[];

/* A TOML basic string for s (quotes and escapes), for the TOML writers. */
char *hr_install_toml_string (const char *s);

#endif
