/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "suda-listed-room.h"

struct _SudaListedRoom
{
  GObject  parent_instance;

  char    *name;
  guint    users;
  char    *topic;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_USERS,
  PROP_TOPIC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaListedRoom, suda_listed_room, G_TYPE_OBJECT)

static void
suda_listed_room_finalize (GObject *object)
{
  SudaListedRoom *self = SUDA_LISTED_ROOM (object);

  g_free (self->name);
  g_free (self->topic);
  G_OBJECT_CLASS (suda_listed_room_parent_class)->finalize (object);
}

static void
suda_listed_room_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SudaListedRoom *self = SUDA_LISTED_ROOM (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_USERS: g_value_set_uint (value, self->users); break;
    case PROP_TOPIC: g_value_set_string (value, self->topic); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_listed_room_class_init (SudaListedRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = suda_listed_room_finalize;
  object_class->get_property = suda_listed_room_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_USERS] = g_param_spec_uint ("users", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_TOPIC] = g_param_spec_string ("topic", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_listed_room_init (SudaListedRoom *self)
{
}

/* The fields are set once here: a listed room never changes, a new
 * LIST makes new ones. */
SudaListedRoom *
suda_listed_room_new (const char *name,
                      guint       users,
                      const char *topic)
{
  SudaListedRoom *self = g_object_new (SUDA_TYPE_LISTED_ROOM, NULL);

  self->name = g_strdup (name);
  self->users = users;
  self->topic = g_strdup (topic ? topic : "");
  return self;
}

const char *
suda_listed_room_get_name (SudaListedRoom *self)
{
  g_return_val_if_fail (SUDA_IS_LISTED_ROOM (self), NULL);
  return self->name;
}

guint
suda_listed_room_get_users (SudaListedRoom *self)
{
  g_return_val_if_fail (SUDA_IS_LISTED_ROOM (self), 0);
  return self->users;
}

const char *
suda_listed_room_get_topic (SudaListedRoom *self)
{
  g_return_val_if_fail (SUDA_IS_LISTED_ROOM (self), NULL);
  return self->topic;
}
