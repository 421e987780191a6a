/* SPDX-License-Identifier: Apache-2.0 */
/* A seccomp filter run in-process: the BPF libseccomp builds from a
 * profile (as runc builds it), interpreted as the kernel runs it, so that
 * the merge can check what libseccomp made of its rules. */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hardrun/util.h"
#include "seccomp_profile.h"

/* Classic BPF as the kernel runs a seccomp filter (the instructions
 * libseccomp emits). */
uint32_t
hr_seccomp_sim_run (const struct hr_seccomp_sim *sim, const struct seccomp_data *data)
{
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

  for (size_t pc = 0; pc < sim->len; pc++)
    {
      const struct sock_filter *f = &sim->prog[pc];
      uint32_t k = f->k, operand = BPF_SRC (f->code) == BPF_X ? x : k;

      switch (BPF_CLASS (f->code))
        {
        case BPF_LD:
          if (BPF_MODE (f->code) == BPF_ABS && k + 4 <= sizeof *data)
            memcpy (&a, (const char *)data + k, 4);
          else if (BPF_MODE (f->code) == BPF_MEM && k < BPF_MEMWORDS)
            a = mem[k];
          else if (BPF_MODE (f->code) == BPF_IMM)
            a = k;
          else
            return 0; /* unknown: as strict as it gets */
          break;
        case BPF_LDX:
          x = BPF_MODE (f->code) == BPF_MEM && k < BPF_MEMWORDS ? mem[k] : k;
          break;
        case BPF_ST:
        case BPF_STX:
          if (k < BPF_MEMWORDS)
            mem[k] = BPF_CLASS (f->code) == BPF_ST ? a : x;
          break;
        case BPF_ALU:
          switch (BPF_OP (f->code))
            {
            case BPF_AND:
              a &= operand;
              break;
            case BPF_OR:
              a |= operand;
              break;
            case BPF_ADD:
              a += operand;
              break;
            case BPF_SUB:
              a -= operand;
              break;
            default:
              return 0;
            }
          break;
        case BPF_JMP:
          {
            bool taken;
            switch (BPF_OP (f->code))
              {
              case BPF_JA:
                pc += k;
                continue;
              case BPF_JEQ:
                taken = a == operand;
                break;
              case BPF_JGT:
                taken = a > operand;
                break;
              case BPF_JGE:
                taken = a >= operand;
                break;
              case BPF_JSET:
                taken = (a & operand) != 0;
                break;
              default:
                return 0;
              }
            pc += taken ? f->jt : f->jf;
            break;
          }
        case BPF_RET:
          return BPF_RVAL (f->code) == BPF_A ? a : k;
        case BPF_MISC:
          if (BPF_MISCOP (f->code) == BPF_TAX)
            x = a;
          else
            a = x;
          break;
        default:
          return 0;
        }
    }
  return 0;
}

int
hr_seccomp_sim_load (const struct hr_json *profile, struct hr_seccomp_sim *sim, hr_error_t *err)
{
  scmp_filter_ctx ctx;
  cleanup_close int fd = -1;
  off_t size;
  int ret;

  if (hr_seccomp_build (profile, &ctx, err) < 0)
    return -1;
  fd = memfd_create ("hardrun-seccomp", MFD_CLOEXEC);
  ret = fd < 0 ? -errno : seccomp_export_bpf (ctx, fd);
  seccomp_release (ctx);
  if (ret < 0)
    return hr_error_set (err, -ret, "cannot generate the seccomp filter");
  size = lseek (fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof (struct sock_filter) != 0)
    return hr_error_set (err, EINVAL, "cannot read the seccomp filter back");
  sim->prog = xcalloc (1, (size_t)size);
  sim->len = (size_t)size / sizeof (struct sock_filter);
  if (pread (fd, sim->prog, (size_t)size, 0) != size)
    return hr_error_set (err, errno, "cannot read the seccomp filter back");
  return 0;
}

void
hr_seccomp_sim_clear (struct hr_seccomp_sim *sim)
{
  free (sim->prog);
  sim->prog = NULL;
  sim->len = 0;
}
