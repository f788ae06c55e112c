/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-scheduler-private.h"

static gboolean
parse_digits (const char *start,
              gsize       len,
              guint64     max,
              guint64    *out)
{
  char buf[12];

  if (len == 0 || len >= sizeof buf)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (start[i]))
      return FALSE;
  memcpy (buf, start, len);
  buf[len] = '\0';
  return g_ascii_string_to_unsigned (buf, 10, 0, max, out, NULL);
}

static GDateTime *
parse_relative (const char *spec,
                GDateTime  *now,
                GError    **error)
{
  static const struct { char unit; guint64 seconds; } units[] = {
    { 'd', 24 * 3600 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
  };
  const char *p = spec + 1;
  guint next_unit = 0;
  guint64 total = 0;

  if (*p == '\0')
    goto bad;

  /* Units go largest first, each at most once: "+1h30m", not "+30m1h". */
  while (*p != '\0')
    {
      const char *digits = p;
      guint64 value;
      char unit;
      guint i;

      while (g_ascii_isdigit (*p))
        p++;
      unit = g_ascii_tolower (*p);
      if (!parse_digits (digits, p - digits, SUDA_SCHEDULER_MAX_DELAY_SECONDS, &value))
        goto too_far_or_bad;
      for (i = next_unit; i < G_N_ELEMENTS (units); i++)
        if (units[i].unit == unit)
          break;
      if (i == G_N_ELEMENTS (units))
        goto bad;
      total += value * units[i].seconds;
      if (total > SUDA_SCHEDULER_MAX_DELAY_SECONDS)
        goto too_far;
      next_unit = i + 1;
      p++;
    }

  if (total == 0)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("“%s” is no time from now; use at least +1s"), spec);
      return NULL;
    }
  return g_date_time_add_seconds (now, (double) total);

too_far_or_bad:
  /* A long run of digits is a number too big, not garbage. */
  if (p > spec + 1 && g_ascii_isdigit (p[-1]))
    goto too_far;
bad:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
               _("“%s” is not a time; write HH:MM, HH:MM:SS or +10m"), spec);
  return NULL;
too_far:
  g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_TOO_FAR,
               _("“%s” is too far ahead; the limit is %u days"),
               spec, SUDA_SCHEDULER_MAX_DELAY_SECONDS / (24 * 3600));
  return NULL;
}

static GDateTime *
parse_clock_time (const char *spec,
                  GDateTime  *now,
                  GError    **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", -1);
  guint n_parts = g_strv_length (parts);
  guint64 hour, minute, second = 0;
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;
  g_autoptr(GDateTime) noon = NULL;
  GTimeZone *tz = g_date_time_get_timezone (now);

  if ((n_parts != 2 && n_parts != 3)
      || !parse_digits (parts[0], strlen (parts[0]), G_MAXUINT64, &hour)
      || strlen (parts[0]) > 2
      || strlen (parts[1]) != 2
      || !parse_digits (parts[1], 2, G_MAXUINT64, &minute)
      || (n_parts == 3 && (strlen (parts[2]) != 2
                           || !parse_digits (parts[2], 2, G_MAXUINT64, &second))))
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("“%s” is not a time; write HH:MM, HH:MM:SS or +10m"), spec);
      return NULL;
    }
  if (hour > 23 || minute > 59 || second > 59)
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("“%s” is not a time of day; hours go to 23, minutes and seconds to 59"),
                   spec);
      return NULL;
    }

  /* A time of day is read in NOW's zone, which the caller makes the
   * server's local zone.  Tomorrow is found through the calendar, not by
   * adding 24 hours, so a daylight-saving change keeps the wall time. */
  today = g_date_time_new (tz,
                           g_date_time_get_year (now),
                           g_date_time_get_month (now),
                           g_date_time_get_day_of_month (now),
                           hour, minute, second);
  if (today != NULL && g_date_time_compare (today, now) > 0)
    return g_steal_pointer (&today);

  noon = g_date_time_new (tz,
                              g_date_time_get_year (now),
                              g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now),
                              12, 0, 0);
  tomorrow = g_date_time_add_days (noon, 1);
  g_clear_pointer (&today, g_date_time_unref);
  today = g_date_time_new (tz,
                           g_date_time_get_year (tomorrow),
                           g_date_time_get_month (tomorrow),
                           g_date_time_get_day_of_month (tomorrow),
                           hour, minute, second);
  if (today == NULL)
    g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                 _("“%s” does not exist in the server's time zone"), spec);
  return g_steal_pointer (&today);
}

/**
 * suda_schedule_parse_when:
 * @spec: "HH:MM", "HH:MM:SS" or a delay such as "+90s", "+10m", "+1h30m"
 * @now: the current time, in the zone a time of day is meant in
 *
 * Returns: (transfer full): the moment SPEC names, in UTC; a time of day
 *   already past today means tomorrow.
 */
GDateTime *
suda_schedule_parse_when (const char *spec,
                          GDateTime  *now,
                          GError    **error)
{
  g_autoptr(GDateTime) when = NULL;

  g_return_val_if_fail (now != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (spec == NULL || *spec == '\0')
    {
      g_set_error (error, SUDA_SCHEDULER_ERROR, SUDA_SCHEDULER_ERROR_BAD_TIME,
                   _("No time given; write HH:MM, HH:MM:SS or +10m"));
      return NULL;
    }

  if (spec[0] == '+')
    when = parse_relative (spec, now, error);
  else
    when = parse_clock_time (spec, now, error);
  if (when == NULL)
    return NULL;
  return g_date_time_to_utc (when);
}
