/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* An account name is a nick: the server's NICKLEN bounds both. */
#define SUDA_ACCOUNT_NAME_MAX      30
#define SUDA_ACCOUNT_PASSWORD_MIN  8
#define SUDA_ACCOUNT_PASSWORD_MAX  256

#define SUDA_ACCOUNT_ERROR (suda_account_error_quark ())

typedef enum {
  SUDA_ACCOUNT_ERROR_EXISTS,
  SUDA_ACCOUNT_ERROR_NOT_FOUND,
  SUDA_ACCOUNT_ERROR_BAD_PASSWORD,
  SUDA_ACCOUNT_ERROR_INVALID_NAME,
  SUDA_ACCOUNT_ERROR_WEAK_PASSWORD,
  SUDA_ACCOUNT_ERROR_STORE,
  SUDA_ACCOUNT_ERROR_UNAVAILABLE,   /* the name cannot be claimed now ([cluster]) */
} SudaAccountError;

typedef struct {
  char     *name;
  gint64    created;     /* unix seconds */
  gint64    last_seen;   /* unix seconds; 0: never logged in */
  gboolean  is_operator;
} SudaAccountInfo;

void suda_account_info_free (SudaAccountInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SudaAccountInfo, suda_account_info_free)

#define SUDA_TYPE_ACCOUNT_STORE (suda_account_store_get_type ())
G_DECLARE_FINAL_TYPE (SudaAccountStore, suda_account_store, SUDA, ACCOUNT_STORE, GObject)

/* Names shared with other stores ([cluster]): CLAIM is asked, on the
 * thread that registers, before a new account NAME (made at CREATED, unix
 * seconds) is written, and answers TASK with TRUE or an error; RELEASE is
 * told when an account this store made or dropped no longer holds it. */
typedef struct {
  void (*claim)   (const char *name,
                   gint64      created,
                   GTask      *task,
                   gpointer    data);
  void (*release) (const char *name,
                   gpointer    data);
} SudaAccountClaims;

GQuark            suda_account_error_quark                  (void);

SudaAccountStore *suda_account_store_open                   (const char           *path,
                                                             GError              **error);
const char       *suda_account_store_get_path               (SudaAccountStore     *self);
void              suda_account_store_set_claims             (SudaAccountStore     *self,
                                                             const SudaAccountClaims *claims,
                                                             gpointer              data);
gboolean          suda_account_store_exists                 (SudaAccountStore     *self,
                                                             const char           *name);
SudaAccountInfo  *suda_account_store_lookup                 (SudaAccountStore     *self,
                                                             const char           *name);
GPtrArray        *suda_account_store_list                   (SudaAccountStore     *self,
                                                             GError              **error);

void              suda_account_store_register_async         (SudaAccountStore     *self,
                                                             const char           *name,
                                                             const char           *password,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean          suda_account_store_register_finish        (SudaAccountStore     *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
void              suda_account_store_verify_async           (SudaAccountStore     *self,
                                                             const char           *name,
                                                             const char           *password,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
char             *suda_account_store_verify_finish          (SudaAccountStore     *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
void              suda_account_store_set_password_async     (SudaAccountStore     *self,
                                                             const char           *name,
                                                             const char           *password,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean          suda_account_store_set_password_finish    (SudaAccountStore     *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
void              suda_account_store_import_csv_async       (SudaAccountStore     *self,
                                                             const char           *csv,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
guint             suda_account_store_import_csv_finish      (SudaAccountStore     *self,
                                                             GAsyncResult         *result,
                                                             GStrv                *problems,
                                                             GError              **error);

gboolean          suda_account_store_dup_record             (SudaAccountStore     *self,
                                                             const char           *name,
                                                             char                **hash,
                                                             gint64               *created,
                                                             gboolean             *is_operator);
gboolean          suda_account_store_put_record             (SudaAccountStore     *self,
                                                             const char           *name,
                                                             const char           *hash,
                                                             gint64                created,
                                                             gboolean              is_operator,
                                                             GError              **error);
GStrv             suda_account_store_list_untold            (SudaAccountStore     *self);
void              suda_account_store_set_told               (SudaAccountStore     *self,
                                                             const char           *name);
gboolean          suda_account_store_delete                 (SudaAccountStore     *self,
                                                             const char           *name,
                                                             GError              **error);
gboolean          suda_account_store_set_operator           (SudaAccountStore     *self,
                                                             const char           *name,
                                                             gboolean              is_operator,
                                                             GError              **error);
gboolean          suda_account_store_add_certificate        (SudaAccountStore     *self,
                                                             const char           *name,
                                                             const char           *fingerprint,
                                                             GError              **error);
char             *suda_account_store_lookup_certificate     (SudaAccountStore     *self,
                                                             const char           *fingerprint);
gboolean          suda_account_store_remove_certificate     (SudaAccountStore     *self,
                                                             const char           *name,
                                                             const char           *fingerprint,
                                                             GError              **error);
GStrv             suda_account_store_list_certificates      (SudaAccountStore     *self,
                                                             const char           *name);

G_END_DECLS
