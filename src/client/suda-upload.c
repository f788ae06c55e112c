/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A file sent to the server's file host: the token first (FILEHOST TOKEN,
 * answered by a NOTE; kept on the connection while it lasts), then the
 * POST soju.im/FILEHOST describes, whose Location is the link. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "suda-irc-event.h"
#include "suda-upload.h"

#define TOKEN_KEY "suda-filehost-token"
#define TOKEN_TIMEOUT_S 10

struct _SudaUpload
{
  GObject         parent_instance;

  SudaConnection *connection;
  GBytes         *data;
  char           *name;
  SoupSession    *session;
  double          progress;
  gsize           sent;
  GTask          *waiting;    /* for the token */
  gulong          event_id;
  guint           timeout_id;
};

G_DEFINE_FINAL_TYPE (SudaUpload, suda_upload, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The task that waited for the token, now the caller's. */
static GTask *
stop_waiting (SudaUpload *self)
{
  g_clear_signal_handler (&self->event_id, self->connection);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  return g_steal_pointer (&self->waiting);
}

static void
suda_upload_dispose (GObject *object)
{
  SudaUpload *self = SUDA_UPLOAD (object);

  g_clear_object (&self->waiting);
  stop_waiting (self);
  g_clear_object (&self->connection);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (suda_upload_parent_class)->dispose (object);
}

static void
suda_upload_finalize (GObject *object)
{
  SudaUpload *self = SUDA_UPLOAD (object);

  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self->name);
  G_OBJECT_CLASS (suda_upload_parent_class)->finalize (object);
}

static void
suda_upload_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SudaUpload *self = SUDA_UPLOAD (object);

  switch (prop_id)
    {
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_upload_class_init (SudaUploadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = suda_upload_dispose;
  object_class->finalize = suda_upload_finalize;
  object_class->get_property = suda_upload_get_property;

  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
suda_upload_init (SudaUpload *self)
{
}

SudaUpload *
suda_upload_new (SudaConnection *connection,
                 GBytes         *data,
                 const char     *name)
{
  SudaUpload *self;

  g_return_val_if_fail (SUDA_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  self = g_object_new (SUDA_TYPE_UPLOAD, NULL);
  self->connection = g_object_ref (connection);
  self->data = g_bytes_ref (data);
  self->name = g_strdup (name ? name : "file");
  return self;
}

double
suda_upload_get_progress (SudaUpload *self)
{
  g_return_val_if_fail (SUDA_IS_UPLOAD (self), 0);
  return self->progress;
}

static void
set_progress (SudaUpload *self,
              double      progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

/* The POST ----------------------------------------------------------------- */

static void
on_wrote_body_data (SoupMessage *msg,
                    guint        chunk,
                    SudaUpload  *self)
{
  gsize total = g_bytes_get_size (self->data);

  self->sent += chunk;
  set_progress (self, total > 0 ? MIN (1.0, (double) self->sent / total) : 1.0);
}

/* The chat's own certificate, which the person accepted or the system
 * trusts, is the file host's too. */
static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       SudaUpload           *self)
{
  GTlsCertificate *chat = suda_connection_get_certificate (self->connection);

  return chat != NULL && g_tls_certificate_is_same (chat, certificate);
}

static char *
describe_failure (SoupMessage *msg,
                  GBytes      *body)
{
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;
  g_autofree char *text = data && g_utf8_validate (data, len, NULL) ? g_strndup (data, MIN (len, 300)) : NULL;

  if (text != NULL && *g_strstrip (text) != '\0')
    return g_steal_pointer (&text);
  return g_strdup_printf (_("The server answered %u %s"), soup_message_get_status (msg),
                          soup_message_get_reason_phrase (msg));
}

static void
on_posted (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  SudaUpload *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  const char *location;

  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED)
    g_object_set_data (G_OBJECT (self->connection), TOKEN_KEY, NULL);
  if (soup_message_get_status (msg) != SOUP_STATUS_CREATED || location == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", describe_failure (msg, body));
      return;
    }
  set_progress (self, 1.0);
  g_task_return_pointer (task, g_strdup (location), g_free);
}

static void
post (GTask      *task,
      const char *token)
{
  SudaUpload *self = g_task_get_source_object (task);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST,
                                                 suda_connection_get_filehost (self->connection));
  SoupMessageHeaders *headers;
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autofree char *escaped = g_uri_escape_string (self->name, NULL, FALSE);
  g_autofree char *disposition = g_strdup_printf ("attachment; filename*=UTF-8''%s", escaped);

  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "%s", _("The server's address for files is not valid"));
      return;
    }
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Authorization", bearer);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  /* A file the server refuses is not sent at all. */
  soup_message_headers_set_expectations (headers, SOUP_EXPECTATION_CONTINUE);
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", self->data);
  g_signal_connect_object (msg, "wrote-body-data", G_CALLBACK (on_wrote_body_data), self, 0);
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  if (self->session == NULL)
    self->session = soup_session_new ();
  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_posted, g_object_ref (task));
}

/* The token --------------------------------------------------------------- */

static void
on_event (SudaConnection *connection,
          SudaIrcEvent   *event,
          SudaUpload     *self)
{
  g_autoptr(GTask) task = NULL;
  char **p = event->params;

  if (p == NULL || p[0] == NULL || g_strcmp0 (p[0], "FILEHOST") != 0 || p[1] == NULL)
    return;
  task = stop_waiting (self);
  if (g_str_equal (event->command, "NOTE") && g_str_equal (p[1], "TOKEN") && p[2] != NULL)
    {
      g_object_set_data_full (G_OBJECT (connection), TOKEN_KEY, g_strdup (p[2]), g_free);
      post (task, p[2]);
    }
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "%s", _("This server does not take files"));
}

static gboolean
on_token_timeout (gpointer data)
{
  SudaUpload *self = data;
  g_autoptr(GTask) task = NULL;

  self->timeout_id = 0;
  task = stop_waiting (self);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "%s", _("The server did not answer the request to send a file"));
  return G_SOURCE_REMOVE;
}

void
suda_upload_send_async (SudaUpload          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *token;

  g_return_if_fail (SUDA_IS_UPLOAD (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, suda_upload_send_async);
  if (suda_connection_get_filehost (self->connection) == NULL || !suda_connection_is_connected (self->connection))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "%s", _("This server does not take files"));
      return;
    }
  self->sent = 0;
  set_progress (self, 0);
  token = g_object_get_data (G_OBJECT (self->connection), TOKEN_KEY);
  if (token != NULL)
    {
      post (task, token);
      return;
    }
  g_return_if_fail (self->waiting == NULL);
  self->waiting = g_object_ref (task);
  self->event_id = g_signal_connect (self->connection, "event", G_CALLBACK (on_event), self);
  self->timeout_id = g_timeout_add_seconds (TOKEN_TIMEOUT_S, on_token_timeout, self);
  suda_connection_send_command (self->connection, "FILEHOST", "TOKEN", NULL);
}

char *
suda_upload_send_finish (SudaUpload    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
