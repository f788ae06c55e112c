/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SUDA_TYPE_MEMBER (suda_member_get_type ())

G_DECLARE_FINAL_TYPE (SudaMember, suda_member, SUDA, MEMBER, GObject)

SudaMember *suda_member_new          (const char *nick,
                                      const char *prefixes);
const char *suda_member_get_nick     (SudaMember *self);
void        suda_member_set_nick     (SudaMember *self,
                                      const char *nick);
const char *suda_member_get_prefixes (SudaMember *self);
void        suda_member_set_prefixes (SudaMember *self,
                                      const char *prefixes);
void        suda_member_add_prefix   (SudaMember *self,
                                      char        prefix);
void        suda_member_remove_prefix(SudaMember *self,
                                      char        prefix);
guint       suda_member_get_rank     (SudaMember *self);
gboolean    suda_member_get_operator (SudaMember *self);
int         suda_member_compare      (gconstpointer a,
                                      gconstpointer b,
                                      gpointer      user_data);

G_END_DECLS
