/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "suda-irc-message.h"
#include "suda-member.h"

/* Membership prefixes from the highest rank down, as ISUPPORT PREFIX
 * usually orders them; multi-prefix may give several at once. */
static const char rank_order[] = "~&@%+";

struct _SudaMember
{
  GObject  parent_instance;

  char    *nick;
  char    *prefixes;   /* kept in rank order */
};

enum {
  PROP_0,
  PROP_NICK,
  PROP_PREFIXES,
  PROP_OPERATOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaMember, suda_member, G_TYPE_OBJECT)

static void
suda_member_finalize (GObject *object)
{
  SudaMember *self = SUDA_MEMBER (object);

  g_clear_pointer (&self->nick, g_free);
  g_clear_pointer (&self->prefixes, g_free);
  G_OBJECT_CLASS (suda_member_parent_class)->finalize (object);
}

static void
suda_member_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SudaMember *self = SUDA_MEMBER (object);

  switch (prop_id)
    {
    case PROP_NICK: g_value_set_string (value, self->nick); break;
    case PROP_PREFIXES: g_value_set_string (value, self->prefixes); break;
    case PROP_OPERATOR: g_value_set_boolean (value, suda_member_get_operator (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_member_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SudaMember *self = SUDA_MEMBER (object);

  switch (prop_id)
    {
    case PROP_NICK: suda_member_set_nick (self, g_value_get_string (value)); break;
    case PROP_PREFIXES: suda_member_set_prefixes (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_member_class_init (SudaMemberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = suda_member_finalize;
  object_class->get_property = suda_member_get_property;
  object_class->set_property = suda_member_set_property;

  properties[PROP_NICK] =
    g_param_spec_string ("nick", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREFIXES] =
    g_param_spec_string ("prefixes", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPERATOR] =
    g_param_spec_boolean ("operator", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_member_init (SudaMember *self)
{
  self->prefixes = g_strdup ("");
}

SudaMember *
suda_member_new (const char *nick,
                 const char *prefixes)
{
  SudaMember *self = g_object_new (SUDA_TYPE_MEMBER, "nick", nick, NULL);

  suda_member_set_prefixes (self, prefixes);
  return self;
}

const char *
suda_member_get_nick (SudaMember *self)
{
  g_return_val_if_fail (SUDA_IS_MEMBER (self), NULL);
  return self->nick;
}

void
suda_member_set_nick (SudaMember *self,
                      const char *nick)
{
  g_return_if_fail (SUDA_IS_MEMBER (self));
  if (g_strcmp0 (self->nick, nick) == 0)
    return;
  g_free (self->nick);
  self->nick = g_strdup (nick);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
}

const char *
suda_member_get_prefixes (SudaMember *self)
{
  g_return_val_if_fail (SUDA_IS_MEMBER (self), NULL);
  return self->prefixes;
}

void
suda_member_set_prefixes (SudaMember *self,
                          const char *prefixes)
{
  GString *sorted = g_string_new (NULL);
  gboolean was_op;

  g_return_if_fail (SUDA_IS_MEMBER (self));

  for (const char *r = rank_order; *r; r++)
    if (prefixes != NULL && strchr (prefixes, *r) != NULL)
      g_string_append_c (sorted, *r);
  if (g_strcmp0 (sorted->str, self->prefixes) == 0)
    {
      g_string_free (sorted, TRUE);
      return;
    }
  was_op = suda_member_get_operator (self);
  g_free (self->prefixes);
  self->prefixes = g_string_free (sorted, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREFIXES]);
  if (was_op != suda_member_get_operator (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPERATOR]);
}

void
suda_member_add_prefix (SudaMember *self,
                        char        prefix)
{
  g_autofree char *more = g_strdup_printf ("%s%c", self->prefixes, prefix);

  suda_member_set_prefixes (self, more);
}

void
suda_member_remove_prefix (SudaMember *self,
                           char        prefix)
{
  g_autofree char *less = g_strdup (self->prefixes);
  char *p = strchr (less, prefix);

  if (p != NULL)
    memmove (p, p + 1, strlen (p));
  suda_member_set_prefixes (self, less);
}

/* 0 for the highest rank; strlen (rank_order) for no prefix at all. */
guint
suda_member_get_rank (SudaMember *self)
{
  const char *r;

  g_return_val_if_fail (SUDA_IS_MEMBER (self), 0);
  if (self->prefixes[0] == '\0' || !(r = strchr (rank_order, self->prefixes[0])))
    return strlen (rank_order);
  return r - rank_order;
}

gboolean
suda_member_get_operator (SudaMember *self)
{
  g_return_val_if_fail (SUDA_IS_MEMBER (self), FALSE);
  return strpbrk (self->prefixes, "~&@") != NULL;
}

int
suda_member_compare (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  SudaMember *ma = (SudaMember *) a;
  SudaMember *mb = (SudaMember *) b;
  guint ra = suda_member_get_rank (ma);
  guint rb = suda_member_get_rank (mb);

  if (ra != rb)
    return ra < rb ? -1 : 1;
  return suda_irc_casecmp (ma->nick, mb->nick);
}
