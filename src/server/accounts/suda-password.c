/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Password hashing for accounts (and operators): crypt(3) with yescrypt,
 * the default of Debian's libxcrypt. */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include <gio/gio.h>

#include "suda-password.h"

char *
suda_password_hash (const char  *password,
                    GError     **error)
{
  struct crypt_data *work;
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  char *hash = NULL;

  g_return_val_if_fail (password != NULL, NULL);

  /* A NULL entropy source makes libxcrypt read the kernel's random. */
  if (crypt_gensalt_rn ("$y$", 0, NULL, 0, salt, sizeof salt) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "crypt_gensalt: no salt could be made");
      return NULL;
    }
  work = g_new0 (struct crypt_data, 1);
  if (crypt_r (password, salt, work) != NULL && work->output[0] != '*')
    hash = g_strdup (work->output);
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "crypt: the password could not be hashed");
  memset (work, 0, sizeof *work);
  g_free (work);
  return hash;
}

/* Compares every byte whatever the first difference, so the time taken
 * says nothing about how much of a guess was right. */
static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint diff = la != lb;

  for (gsize i = 0; i < la && i < lb; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];
  return diff == 0;
}

gboolean
suda_password_verify (const char *password,
                      const char *hash)
{
  struct crypt_data *work;
  gboolean right;

  if (password == NULL || hash == NULL || hash[0] == '\0')
    return FALSE;
  work = g_new0 (struct crypt_data, 1);
  right = crypt_r (password, hash, work) != NULL && work->output[0] != '*' &&
          equal_in_constant_time (work->output, hash);
  memset (work, 0, sizeof *work);
  g_free (work);
  return right;
}

/* Overwrites a password in memory before it is freed. */
void
suda_password_clear (char *password)
{
  if (password != NULL)
    memset (password, 0, strlen (password));
}
