/* Read one .ics file with libical, the library Evolution uses, and print as JSON the UTC
 * instant libical computes for every timed DTSTART, DTEND, DUE, COMPLETED and RECURRENCE-ID.
 *
 * Build: gcc read.c -o read -lical      Usage: read FILE
 * Prints {"ok": true, "values": [...], "warnings": [...]} or {"ok": false, "error": "..."}.
 * Each value: {uid, component, property, tzid, utc, zone}; zone is "vtimezone" (placed with
 * the file's own VTIMEZONE), "utc", "floating" (no TZID) or "missing" (a TZID with no
 * VTIMEZONE in the file: libical keeps such a time floating, and `utc` is what
 * icaltime_convert_to_zone then gives). Warnings are the X-LIC-ERROR properties libical adds
 * where it could not parse something: it keeps the file and drops the broken part.
 * Only the file's VTIMEZONEs are used, never libical's built-in zone database.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_json_string(const char *text)
{
    if (text == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    size_t size = 0, capacity = 1 << 16;
    char *text = malloc(capacity);
    size_t got;
    while (text != NULL && (got = fread(text + size, 1, capacity - size - 1, file)) > 0) {
        size += got;
        if (capacity - size < 2) {
            capacity *= 2;
            text = realloc(text, capacity);
        }
    }
    fclose(file);
    if (text != NULL)
        text[size] = '\0';
    return text;
}

static int is_timed_property(icalproperty_kind kind)
{
    return kind == ICAL_DTSTART_PROPERTY || kind == ICAL_DTEND_PROPERTY || kind == ICAL_DUE_PROPERTY ||
           kind == ICAL_COMPLETED_PROPERTY || kind == ICAL_RECURRENCEID_PROPERTY;
}

static void print_warnings(icalcomponent *component, int *first)
{
    for (icalproperty *p = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY); p != NULL;
         p = icalcomponent_get_next_property(component, ICAL_XLICERROR_PROPERTY)) {
        if (!*first)
            putchar(',');
        *first = 0;
        print_json_string(icalproperty_get_xlicerror(p));
    }
    for (icalcomponent *c = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT); c != NULL;
         c = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT))
        print_warnings(c, first);
}

static void print_values(icalcomponent *root, int *first_value)
{
    icaltimezone *utc_zone = icaltimezone_get_utc_timezone();
    /* An external iterator: icalcomponent_get_timezone() walks the root's own one. And the
     * UID is read before the property loop because reading it resets the component's
     * property iterator, which that loop uses. */
    for (icalcompiter it = icalcomponent_begin_component(root, ICAL_ANY_COMPONENT);
         icalcompiter_deref(&it) != NULL; icalcompiter_next(&it)) {
        icalcomponent *c = icalcompiter_deref(&it);
        if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT)
            continue;
        const char *uid = icalcomponent_get_uid(c);
        for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p != NULL;
             p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
            if (!is_timed_property(icalproperty_isa(p)))
                continue;
            icalvalue *value = icalproperty_get_value(p);
            if (value == NULL || icalvalue_isa(value) != ICAL_DATETIME_VALUE)
                continue;
            struct icaltimetype time = icalvalue_get_datetime(value);
            if (time.is_date)
                continue;
            icalparameter *tzid_param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
            const char *tzid = tzid_param ? icalparameter_get_tzid(tzid_param) : NULL;
            const char *zone;
            if (icaltime_is_utc(time)) {
                zone = "utc";
            } else if (tzid != NULL) {
                icaltimezone *file_zone = icalcomponent_get_timezone(root, tzid);
                if (file_zone != NULL) {
                    time = icaltime_set_timezone(&time, file_zone);
                    zone = "vtimezone";
                } else {
                    zone = "missing";
                }
            } else {
                zone = "floating";
            }
            struct icaltimetype u = icaltime_convert_to_zone(time, utc_zone);
            char utc[32];
            snprintf(utc, sizeof utc, "%04d-%02d-%02dT%02d:%02d:%02dZ", u.year, u.month, u.day, u.hour, u.minute,
                     u.second);
            if (!*first_value)
                putchar(',');
            *first_value = 0;
            fputs("{\"uid\":", stdout);
            print_json_string(uid);
            fputs(",\"component\":", stdout);
            print_json_string(icalcomponent_kind_to_string(icalcomponent_isa(c)));
            fputs(",\"property\":", stdout);
            print_json_string(icalproperty_get_property_name(p));
            fputs(",\"tzid\":", stdout);
            print_json_string(tzid);
            fputs(",\"utc\":", stdout);
            print_json_string(utc);
            fputs(",\"zone\":", stdout);
            print_json_string(zone);
            putchar('}');
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    char *text = read_file(argv[1]);
    if (text == NULL) {
        perror(argv[1]);
        return 2;
    }
    icalerror_set_errors_are_fatal(0);
    icalcomponent *root = icalparser_parse_string(text);
    icalcomponent_kind kind = root ? icalcomponent_isa(root) : ICAL_NO_COMPONENT;
    if (kind != ICAL_VCALENDAR_COMPONENT && kind != ICAL_XROOT_COMPONENT) {
        char error[128];
        if (root == NULL)
            snprintf(error, sizeof error, "no iCalendar component found");
        else
            snprintf(error, sizeof error, "top-level component is %s, not VCALENDAR", icalcomponent_kind_to_string(kind));
        fputs("{\"ok\":false,\"error\":", stdout);
        print_json_string(error);
        fputs("}\n", stdout);
    } else {
        /* Several VCALENDARs in one text come back under an XROOT component. */
        fputs("{\"ok\":true,\"values\":[", stdout);
        int first = 1;
        if (kind == ICAL_XROOT_COMPONENT) {
            for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT); c != NULL;
                 c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
                print_values(c, &first);
        } else {
            print_values(root, &first);
        }
        fputs("],\"warnings\":[", stdout);
        first = 1;
        print_warnings(root, &first);
        fputs("]}\n", stdout);
    }
    if (root != NULL)
        icalcomponent_free(root);
    free(text);
    return 0;
}
