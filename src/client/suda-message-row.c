/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-format-pango.h"
#include "suda-irc-message.h"
#include "suda-message-row.h"
#include "suda-thumbnail-loader.h"

struct _SudaMessageRow
{
  GtkWidget    parent_instance;

  GtkWidget   *box;
  GtkLabel    *time_label;
  GtkWidget   *replay_icon;
  GtkLabel    *nick_label;
  GtkLabel    *text_label;
  GtkPicture  *thumbnail;           /* made the first time a link needs it */
  GtkButton   *show_images_button;

  SudaMessage *message;
  char        *image_url;      /* the image link shown as a thumbnail, or NULL */
  GCancellable *loading;      /* its load, while it runs */
  gboolean     show_colors;
  gboolean     dark;
};

G_DEFINE_FINAL_TYPE (SudaMessageRow, suda_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHOW_COLORS,
  PROP_DARK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* About the width of the narrowest text column the window allows. */
#define LONG_WORD_BYTES 24

static const char * const kind_classes[] = {
  "message", "action", "notice", "event", "date-separator", "error", "info", "unread-marker",
};

/* A colour per nickname that stays the same across sessions and machines:
 * the hue comes from a hash of the casefolded name, saturation and
 * lightness are fixed so that every colour reads on light and dark themes. */
char *
suda_nick_color (const char *nick)
{
  guint hash = suda_irc_casefold_hash (nick ? nick : "");
  double h = (hash % 360) / 60.0;
  /* Yellow to cyan look pale at the lightness that suits red and blue. */
  double s = 0.7, l = (h >= 0.7 && h <= 3.3) ? 0.34 : 0.45;
  double c = (1 - fabs (2 * l - 1)) * s;
  double x = c * (1 - fabs (fmod (h, 2) - 1));
  double m = l - c / 2;
  double r = 0, g = 0, b = 0;

  switch ((int) h)
    {
    case 0: r = c, g = x; break;
    case 1: r = x, g = c; break;
    case 2: g = c, b = x; break;
    case 3: g = x, b = c; break;
    case 4: r = x, b = c; break;
    default: r = c, b = x; break;
    }
  return g_strdup_printf ("#%02x%02x%02x", (int) ((r + m) * 255), (int) ((g + m) * 255),
                          (int) ((b + m) * 255));
}

static gsize
link_length (const char *p)
{
  gsize len = 0;

  /* A link ends where its isolate does (U+2069), too. */
  while (p[len] != '\0' && !g_ascii_isspace (p[len]) && p[len] != '<' && p[len] != '>' &&
         p[len] != '"' && !g_str_has_prefix (p + len, "\u2069"))
    len++;
  /* Punctuation that ends a sentence is not part of the link. */
  while (len > 0 && strchr (".,;:!?)]}'", p[len - 1]) != NULL)
    len--;
  return len;
}

/* The length of the web address starting at P in TEXT, or 0; WWW says
 * whether it lacks its scheme. */
static gsize
link_at (const char *text,
         const char *p,
         gboolean   *www)
{
  gboolean at_word_start = p == text || g_ascii_isspace (p[-1]) || p[-1] == '(' || p[-1] == '<';
  gboolean scheme = g_str_has_prefix (p, "https://") || g_str_has_prefix (p, "http://");
  gsize len;

  *www = at_word_start && g_str_has_prefix (p, "www.");
  len = (scheme || *www) ? link_length (p) : 0;
  return len > (scheme ? 8u : 4u) ? len : 0;
}

/* A web address wraps where it must without a hyphen that was never in
 * it: one would be copied along, or typed in, as part of the address.
 * OFFSET is where TEXT starts in the label's text. */
static void
insert_link_attributes (PangoAttrList *attrs,
                        const char    *text,
                        guint          offset)
{
  for (const char *p = text; *p != '\0';)
    {
      gboolean www;
      gsize len = link_at (text, p, &www);

      if (len > 0)
        {
          PangoAttribute *attr = pango_attr_insert_hyphens_new (FALSE);

          attr->start_index = offset + (p - text);
          attr->end_index = attr->start_index + len;
          pango_attr_list_insert (attrs, attr);
          p += len;
        }
      else
        p = g_utf8_next_char (p);
    }
}

/* Escapes TEXT for Pango markup and turns web addresses into links. */
char *
suda_markup_linkify (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text ? text : "";

  while (*p != '\0')
    {
      gboolean www;
      gsize len = link_at (text, p, &www);
      const char *next;

      if (len > 0)
        {
          g_autofree char *target = g_strndup (p, len);
          g_autofree char *href = www ? g_strconcat ("https://", target, NULL) : g_strdup (target);
          g_autofree char *href_escaped = g_markup_escape_text (href, -1);
          g_autofree char *label_escaped = g_markup_escape_text (target, -1);

          g_string_append_printf (out, "<a href=\"%s\">%s</a>", href_escaped, label_escaped);
          p += len;
          continue;
        }
      next = g_utf8_next_char (p);
      {
        g_autofree char *escaped = g_markup_escape_text (p, next - p);

        g_string_append (out, escaped);
      }
      p = next;
    }
  return g_string_free (out, FALSE);
}

char *
suda_format_day (gint64 unix_usec,
                 gint64 now_usec)
{
  g_autoptr(GDateTime) day = g_date_time_new_from_unix_local (unix_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (now_usec / G_USEC_PER_SEC);
  int y1, m1, d1, y2, m2, d2;
  GDate a, b;

  g_date_time_get_ymd (day, &y1, &m1, &d1);
  g_date_time_get_ymd (now, &y2, &m2, &d2);
  g_date_clear (&a, 1);
  g_date_clear (&b, 1);
  g_date_set_dmy (&a, d1, m1, y1);
  g_date_set_dmy (&b, d2, m2, y2);

  switch (g_date_days_between (&a, &b))
    {
    case 0: return g_strdup (_("Today"));
    case 1: return g_strdup (_("Yesterday"));
    default:
      /* Translators: a date in the history, see g_date_time_format(). */
      return g_date_time_format (day, y1 == y2 ? _("%A, %B %-d") : _("%A, %B %-d, %Y"));
    }
}

/* All classes in one call: each separate change would restyle the row
 * again, and rows are rebound by the hundred while scrolling. */
static gboolean
has_long_word (const char *text)
{
  guint run = 0;

  for (const char *p = text ? text : ""; *p; p++)
    {
      run = *p == ' ' ? 0 : run + 1;
      if (run > LONG_WORD_BYTES)
        return TRUE;
    }
  return FALSE;
}

static void
set_classes (SudaMessageRow *self,
             SudaMessage    *message)
{
  const char *classes[5] = { NULL };
  guint n = 0;

  if (message != NULL)
    {
      classes[n++] = kind_classes[suda_message_get_kind (message)];
      if (suda_message_get_own (message))
        classes[n++] = "own";
      if (suda_message_get_mention (message))
        classes[n++] = "mention";
      if (suda_message_get_replayed (message))
        classes[n++] = "replayed";
    }
  gtk_widget_set_css_classes (GTK_WIDGET (self), classes);
}

static gboolean
time_query_tooltip_cb (GtkWidget      *widget,
                       int             x,
                       int             y,
                       gboolean        keyboard,
                       GtkTooltip     *tooltip,
                       SudaMessageRow *self)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *text = NULL;

  if (self->message == NULL)
    return FALSE;
  /* Formatted only when asked for: most rows never show their tooltip. */
  dt = suda_message_dup_datetime (self->message);
  text = g_date_time_format (dt, "%A, %x %X");
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The colours the row is drawn in: the style's, tinted as style.css
 * tints one's own rows and mentions (a mention's tint wins, as there). */
static void
row_theme (SudaMessageRow  *self,
           SudaFormatTheme *theme,
           gboolean         show_colors)
{
  SudaFormatRow row = SUDA_FORMAT_ROW_PLAIN;

  suda_format_theme_init (theme, self->dark, show_colors);
  if (self->message != NULL && suda_message_get_mention (self->message))
    row = SUDA_FORMAT_ROW_MENTION;
  else if (self->message != NULL && suda_message_get_own (self->message))
    row = SUDA_FORMAT_ROW_OWN;
  suda_format_theme_set_row (theme, row);
}

/* The nick's colour, made readable on the row as the text's colours are. */
static char *
dup_nick_color (SudaMessageRow *self,
                const char     *nick)
{
  g_autofree char *color = suda_nick_color (nick);
  SudaFormatTheme theme;
  guint32 rgb = strtoul (color + 1, NULL, 16);

  row_theme (self, &theme, TRUE);
  return g_strdup_printf ("#%06x", suda_format_readable (rgb, theme.background));
}

/* The text as its sender formatted it: bold, colours and the rest as
 * attributes over the plain text, the text one bidi isolate so that an
 * override inside cannot run into what follows, controls as pictures.
 * An action starts with its sender (ISOLATED_SENDER), in the nick's colour. */
static void
set_text (SudaMessageRow *self,
          const char     *isolated_sender,
          const char     *text)
{
  g_autoptr(GArray) spans = NULL;
  g_autoptr(PangoAttrList) attrs = NULL;
  g_autofree char *plain = suda_format_parse (text ? text : "",
                                              SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS | SUDA_FORMAT_PLAIN_ISOLATE,
                                              &spans);
  g_autofree char *body = suda_markup_linkify (plain);
  g_autofree char *markup = NULL;
  SudaFormatTheme theme;
  guint offset = 0;

  if (isolated_sender != NULL)
    {
      const char *sender = suda_message_get_sender (self->message);
      g_autofree char *color = dup_nick_color (self, sender);
      g_autofree char *escaped = g_markup_escape_text (isolated_sender, -1);

      markup = g_strdup_printf ("<span foreground=\"%s\">%s</span> %s", color, escaped, body);
      offset = strlen (isolated_sender) + 1;
    }
  else
    markup = g_steal_pointer (&body);
  row_theme (self, &theme, self->show_colors);
  attrs = suda_format_attributes (spans, offset, &theme);
  insert_link_attributes (attrs, plain, offset);
  /* Wrapping at any character costs several times more to measure than
   * wrapping at words, so it is kept for text with a word too long to fit. */
  gtk_label_set_wrap_mode (self->text_label,
                           has_long_word (plain) ? PANGO_WRAP_WORD_CHAR : PANGO_WRAP_WORD);
  gtk_label_set_markup (self->text_label, markup);
  gtk_label_set_attributes (self->text_label, attrs);
}

/* Thumbnails ------------------------------------------------------------ */

/* Its own height asked for (a thumbnail is small already; a picture that
 * may shrink would get none in a list row), its width free to shrink in a
 * narrow window. */
static void
show_texture (SudaMessageRow *self,
              GdkTexture     *texture)
{
  gtk_picture_set_paintable (self->thumbnail, GDK_PAINTABLE (texture));
  gtk_widget_set_size_request (GTK_WIDGET (self->thumbnail), -1, gdk_texture_get_height (texture));
  gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), TRUE);
}

static void
on_thumbnail_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autoptr(SudaMessageRow) self = data;
  g_autoptr(GdkTexture) texture = suda_thumbnail_loader_load_finish (SUDA_THUMBNAIL_LOADER (source), result, NULL);

  /* Cancelled: the row shows another message now. */
  if (texture == NULL || g_cancellable_is_cancelled (self->loading))
    return;
  g_clear_object (&self->loading);
  show_texture (self, texture);
}

static void show_images_clicked_cb (SudaMessageRow *self);

/* The picture and the button go under the text, in a column made only
 * for a row that shows an image link: the other rows keep the lighter
 * layout, which a long history measures over and over. */
static void
ensure_media (SudaMessageRow *self)
{
  GtkWidget *column;
  GtkWidget *label = GTK_WIDGET (self->text_label);

  if (self->thumbnail != NULL)
    return;
  column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_hexpand (column, TRUE);
  g_object_ref (label);
  gtk_box_remove (GTK_BOX (self->box), label);
  gtk_box_append (GTK_BOX (column), label);
  g_object_unref (label);
  self->thumbnail = GTK_PICTURE (gtk_picture_new ());
  gtk_widget_set_halign (GTK_WIDGET (self->thumbnail), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->thumbnail), "thumbnail");
  gtk_widget_add_css_class (GTK_WIDGET (self->thumbnail), "card");
  gtk_picture_set_alternative_text (self->thumbnail, _("Shared image"));
  gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), FALSE);
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (self->thumbnail));
  self->show_images_button = GTK_BUTTON (gtk_button_new ());
  gtk_widget_set_halign (GTK_WIDGET (self->show_images_button), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->show_images_button), "flat");
  gtk_widget_set_visible (GTK_WIDGET (self->show_images_button), FALSE);
  g_signal_connect_swapped (self->show_images_button, "clicked", G_CALLBACK (show_images_clicked_cb), self);
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (self->show_images_button));
  gtk_box_append (GTK_BOX (self->box), column);
}

static void
clear_thumbnail (SudaMessageRow *self)
{
  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  g_clear_pointer (&self->image_url, g_free);
  if (self->thumbnail == NULL)
    return;
  gtk_picture_set_paintable (self->thumbnail, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->show_images_button), FALSE);
}

/* An image link: its picture when its host may be asked (the chat's own
 * file host, or one the person allowed), loaded in the background so the
 * list never waits; otherwise a button that allows the host.  A failed
 * load leaves the link alone. */
static void
update_thumbnail (SudaMessageRow *self,
                  const char     *text)
{
  SudaThumbnailLoader *loader = suda_thumbnail_loader_get_default ();
  g_autoptr(GUri) uri = NULL;
  GdkTexture *texture;
  gboolean failed;

  clear_thumbnail (self);
  self->image_url = suda_thumbnail_find_image_link (text);
  if (self->image_url == NULL)
    return;
  ensure_media (self);
  if (!suda_thumbnail_loader_may_load (loader, self->image_url))
    {
      g_autofree char *label = NULL;

      uri = g_uri_parse (self->image_url, G_URI_FLAGS_NONE, NULL);
      label = g_strdup_printf (_("Show images from %s"), g_uri_get_host (uri));
      gtk_button_set_label (self->show_images_button, label);
      gtk_widget_set_visible (GTK_WIDGET (self->show_images_button), TRUE);
      return;
    }
  texture = suda_thumbnail_loader_lookup (loader, self->image_url, &failed);
  if (texture != NULL)
    show_texture (self, texture);
  else if (!failed)
    {
      self->loading = g_cancellable_new ();
      suda_thumbnail_loader_load_async (loader, self->image_url, self->loading,
                                        on_thumbnail_loaded, g_object_ref (self));
    }
}

static void
show_images_clicked_cb (SudaMessageRow *self)
{
  g_autoptr(GUri) uri = self->image_url ? g_uri_parse (self->image_url, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(SudaMessage) message = NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || self->message == NULL)
    return;
  suda_thumbnail_loader_allow_host (suda_thumbnail_loader_get_default (), g_uri_get_host (uri));
  message = g_object_ref (self->message);
  suda_message_row_set_message (self, message);
}

void
suda_message_row_set_message (SudaMessageRow *self,
                              SudaMessage    *message)
{
  SudaMessageKind kind;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *time = NULL;
  g_autofree char *isolated_sender = NULL;
  const char *sender, *text;

  g_return_if_fail (SUDA_IS_MESSAGE_ROW (self));

  g_set_object (&self->message, message);
  set_classes (self, message);
  clear_thumbnail (self);
  if (message == NULL)
    return;

  kind = suda_message_get_kind (message);
  sender = suda_message_get_sender (message);
  text = suda_message_get_text (message);
  /* Hidden by opacity, not visibility, so that every row keeps the same
   * columns and the text of replayed lines lines up with the rest. */
  gtk_widget_set_opacity (self->replay_icon, suda_message_get_replayed (message) ? 1.0 : 0.0);
  gtk_widget_set_has_tooltip (self->replay_icon, suda_message_get_replayed (message));
  gtk_widget_set_visible (self->replay_icon, kind != SUDA_MESSAGE_KIND_DATE_SEPARATOR &&
                                              kind != SUDA_MESSAGE_KIND_UNREAD_MARKER);
  /* A screen reader reads the marker as what it means, not as a line. */
  if (kind == SUDA_MESSAGE_KIND_UNREAD_MARKER)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("New messages below"), -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);

  if (kind == SUDA_MESSAGE_KIND_DATE_SEPARATOR || kind == SUDA_MESSAGE_KIND_UNREAD_MARKER)
    {
      g_autofree char *day = kind == SUDA_MESSAGE_KIND_UNREAD_MARKER ? g_strdup (_("New messages"))
                           : suda_format_day (suda_message_get_time (message), g_get_real_time ());

      gtk_widget_set_visible (GTK_WIDGET (self->time_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->nick_label), FALSE);
      gtk_label_set_xalign (self->text_label, 0.5);
      gtk_label_set_selectable (self->text_label, FALSE);
      gtk_label_set_attributes (self->text_label, NULL);
      gtk_label_set_text (self->text_label, day);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->time_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->nick_label), TRUE);
  gtk_label_set_xalign (self->text_label, 0);
  gtk_label_set_selectable (self->text_label, TRUE);

  dt = suda_message_dup_datetime (message);
  time = g_date_time_format (dt, "%H:%M");
  gtk_label_set_text (self->time_label, time);

  isolated_sender = suda_format_isolate (sender);
  if (sender != NULL && (kind == SUDA_MESSAGE_KIND_MESSAGE || kind == SUDA_MESSAGE_KIND_NOTICE))
    {
      g_autofree char *color = dup_nick_color (self, sender);
      g_autofree char *escaped = g_markup_escape_text (isolated_sender, -1);
      g_autofree char *nick_markup =
        g_strdup_printf (kind == SUDA_MESSAGE_KIND_NOTICE ? "<span foreground=\"%s\">-%s-</span>"
                                                          : "<span foreground=\"%s\">%s</span>",
                         color, escaped);

      gtk_label_set_markup (self->nick_label, nick_markup);
    }
  else if (kind == SUDA_MESSAGE_KIND_ACTION)
    gtk_label_set_text (self->nick_label, "*");
  else if (kind == SUDA_MESSAGE_KIND_EVENT)
    gtk_label_set_text (self->nick_label, "•");
  else if (kind == SUDA_MESSAGE_KIND_ERROR)
    gtk_label_set_text (self->nick_label, "!");
  else
    gtk_label_set_text (self->nick_label, "");

  set_text (self, kind == SUDA_MESSAGE_KIND_ACTION ? isolated_sender : NULL, text);
  if (kind == SUDA_MESSAGE_KIND_MESSAGE || kind == SUDA_MESSAGE_KIND_ACTION)
    update_thumbnail (self, text);
}

GtkPicture *
suda_message_row_get_thumbnail (SudaMessageRow *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE_ROW (self), NULL);
  return self->thumbnail;
}

GtkButton *
suda_message_row_get_show_images_button (SudaMessageRow *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE_ROW (self), NULL);
  return self->show_images_button;
}

SudaMessage *
suda_message_row_get_message (SudaMessageRow *self)
{
  g_return_val_if_fail (SUDA_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

static void
suda_message_row_dispose (GObject *object)
{
  SudaMessageRow *self = SUDA_MESSAGE_ROW (object);

  g_clear_object (&self->message);
  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  g_clear_pointer (&self->image_url, g_free);
  self->thumbnail = NULL;
  self->show_images_button = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_MESSAGE_ROW);
  G_OBJECT_CLASS (suda_message_row_parent_class)->dispose (object);
}

static void
suda_message_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SudaMessageRow *self = SUDA_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_SHOW_COLORS:
      g_value_set_boolean (value, self->show_colors);
      break;
    case PROP_DARK:
      g_value_set_boolean (value, self->dark);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The colours depend on the style and the setting: a change redraws the
 * message the row shows. */
static void
suda_message_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SudaMessageRow *self = SUDA_MESSAGE_ROW (object);
  gboolean *field;

  switch (prop_id)
    {
    case PROP_SHOW_COLORS:
      field = &self->show_colors;
      break;
    case PROP_DARK:
      field = &self->dark;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*field == g_value_get_boolean (value))
    return;
  *field = g_value_get_boolean (value);
  if (self->message != NULL)
    {
      g_autoptr(SudaMessage) message = g_object_ref (self->message);

      suda_message_row_set_message (self, message);
    }
  g_object_notify_by_pspec (object, pspec);
}

static void
suda_message_row_class_init (SudaMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_message_row_dispose;
  object_class->get_property = suda_message_row_get_property;
  object_class->set_property = suda_message_row_set_property;

  properties[PROP_SHOW_COLORS] =
    g_param_spec_boolean ("show-colors", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DARK] =
    g_param_spec_boolean ("dark", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Suda/suda-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaMessageRow, box);
  gtk_widget_class_bind_template_child (widget_class, SudaMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, SudaMessageRow, replay_icon);
  gtk_widget_class_bind_template_child (widget_class, SudaMessageRow, nick_label);
  gtk_widget_class_bind_template_child (widget_class, SudaMessageRow, text_label);
  gtk_widget_class_bind_template_callback (widget_class, time_query_tooltip_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
}

static void
suda_message_row_init (SudaMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->show_colors = TRUE;
}

GtkWidget *
suda_message_row_new (void)
{
  return g_object_new (SUDA_TYPE_MESSAGE_ROW, NULL);
}
