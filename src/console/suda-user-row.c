/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-user-row.h"

struct _SudaUserRow
{
  GObject    parent_instance;

  guint64    id;
  char      *nick;
  char      *address;
  char      *channels;
  GDateTime *connected_at;
};

enum {
  PROP_0,
  PROP_NICK,
  PROP_ADDRESS,
  PROP_CHANNELS,
  PROP_CONNECTED_AT,
  PROP_CONNECTED_USEC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaUserRow, suda_user_row, G_TYPE_OBJECT)

static void
suda_user_row_finalize (GObject *object)
{
  SudaUserRow *self = SUDA_USER_ROW (object);

  g_clear_pointer (&self->nick, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->channels, g_free);
  g_clear_pointer (&self->connected_at, g_date_time_unref);

  G_OBJECT_CLASS (suda_user_row_parent_class)->finalize (object);
}

static void
suda_user_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SudaUserRow *self = SUDA_USER_ROW (object);

  switch (prop_id)
    {
    case PROP_NICK:
      g_value_set_string (value, self->nick);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_CHANNELS:
      g_value_set_string (value, self->channels);
      break;
    case PROP_CONNECTED_AT:
      g_value_set_boxed (value, self->connected_at);
      break;
    case PROP_CONNECTED_USEC:
      g_value_set_int64 (value, self->connected_at ? g_date_time_to_unix (self->connected_at) * G_USEC_PER_SEC + g_date_time_get_microsecond (self->connected_at) : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_user_row_class_init (SudaUserRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = suda_user_row_finalize;
  object_class->get_property = suda_user_row_get_property;

  properties[PROP_NICK] =
    g_param_spec_string ("nick", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANNELS] =
    g_param_spec_string ("channels", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED_AT] =
    g_param_spec_boxed ("connected-at", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED_USEC] =
    g_param_spec_int64 ("connected-usec", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_user_row_init (SudaUserRow *self)
{
}

SudaUserRow *
suda_user_row_new (guint64     id,
                   const char *address,
                   GDateTime  *connected_at)
{
  SudaUserRow *self = g_object_new (SUDA_TYPE_USER_ROW, NULL);

  self->id = id;
  self->address = g_strdup (address);
  self->connected_at = connected_at ? g_date_time_ref (connected_at) : NULL;
  return self;
}

guint64
suda_user_row_get_id (SudaUserRow *self)
{
  g_return_val_if_fail (SUDA_IS_USER_ROW (self), 0);
  return self->id;
}

const char *
suda_user_row_get_nick (SudaUserRow *self)
{
  g_return_val_if_fail (SUDA_IS_USER_ROW (self), NULL);
  return self->nick;
}

const char *
suda_user_row_get_address (SudaUserRow *self)
{
  g_return_val_if_fail (SUDA_IS_USER_ROW (self), NULL);
  return self->address;
}

const char *
suda_user_row_get_channels (SudaUserRow *self)
{
  g_return_val_if_fail (SUDA_IS_USER_ROW (self), NULL);
  return self->channels;
}

GDateTime *
suda_user_row_get_connected_at (SudaUserRow *self)
{
  g_return_val_if_fail (SUDA_IS_USER_ROW (self), NULL);
  return self->connected_at;
}

void
suda_user_row_update (SudaUserRow *self,
                      const char  *nick,
                      const char  *channels)
{
  g_return_if_fail (SUDA_IS_USER_ROW (self));
  if (g_strcmp0 (self->nick, nick) != 0)
    {
      g_free (self->nick);
      self->nick = g_strdup (nick);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICK]);
    }
  if (g_strcmp0 (self->channels, channels) != 0)
    {
      g_free (self->channels);
      self->channels = g_strdup (channels);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNELS]);
    }
}
