/* test_looks.c - the tables of styles, cell looks and marks: every role
 * and metadata kind has a look, glyphs are one column, the legend is made
 * from the table, colours convert to RGB as xterm shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "allocscope/allocator.h"
#include "allocscope/looks.h"

/* The number of UTF-8 characters in s (-1 if it is not UTF-8). */
static int utf8_chars(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : -1;
        if (len < 0)
            return -1;
        for (int k = 1; k < len; k++)
            if ((p[k] & 0xC0) != 0x80)
                return -1;
        p += len;
    }
    return n;
}

static void test_every_role_and_kind_has_a_look(void **state)
{
    (void)state;
    for (int r = 0; r < CELL_ROLE_COUNT; r++) {
        cell c = {.role = (uint8_t)r, .block = 0, .beneath = (uint8_t)r};
        looks_id id = looks_of_cell(&c);
        assert_true(id < LOOK_COUNT);
        if (r != CELL_META)
            assert_int_equal(looks_cell_of(id)->role, r);
    }
    for (int m = 0; m < AS_META_GUARD + 1; m++) {
        cell c = {.role = CELL_META, .meta = (uint8_t)m, .block = -1};
        assert_int_equal(looks_cell_of(looks_of_cell(&c))->role, CELL_META);
    }
    cell h = {.role = CELL_META, .meta = AS_META_GUARD, .block = -1};
    assert_string_equal(looks_glyph(looks_of_cell(&h), true), "G");
    /* neighbouring live blocks differ */
    cell a = {.role = CELL_LIVE, .block = 4}, b = {.role = CELL_LIVE, .block = 5};
    assert_string_not_equal(looks_glyph(looks_of_cell(&a), false), looks_glyph(looks_of_cell(&b), false));
}

/* Unknown bytes (a plugin that does not describe itself) look like no
 * other role: their own glyph, and a colour that is neither unused's nor
 * freed's nor any other role's, at 256 colours. */
static void test_unknown_looks_like_nothing_else(void **state)
{
    (void)state;
    cell u = {.role = CELL_UNKNOWN, .block = -1};
    assert_int_equal(looks_of_cell(&u), LOOK_UNKNOWN);
    assert_int_equal(looks_cell_style(&u), STYLE_UNKNOWN);
    looks_colour mine = looks_area(STYLE_UNKNOWN);
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        if (id == LOOK_UNKNOWN)
            continue;
        assert_string_not_equal(l->utf8, "?");
        assert_string_not_equal(l->ascii, "?");
        assert_true(l->style != STYLE_UNKNOWN);
        if (l->role != CELL_LIVE) /* live cells take their block's colour */
            assert_true(looks_area(l->style).c256 != mine.c256);
    }
    for (int k = 0; k < LOOKS_LIVE_COLOURS; k++)
        assert_true(looks_area(looks_live_style(k)).c256 != mine.c256);
    assert_string_equal(looks_style_of(STYLE_UNKNOWN)->name, "unknown");
    assert_string_equal(as_span_kind_name(AS_SPAN_UNKNOWN), "unknown");
}

static void test_glyphs_are_one_character(void **state)
{
    (void)state;
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        assert_int_equal(strlen(l->ascii), 1);
        assert_true(l->ascii[0] > 0x20 && l->ascii[0] < 0x7f);
        assert_int_equal(utf8_chars(l->utf8), 1);
        assert_true(l->style < STYLE_COUNT);
    }
}

static void test_legend_comes_from_the_table(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    looks_legend(&sb, true, false);
    assert_string_equal(sb_str(&sb), "legend: # = live (name at its start)  / padding  ~ slack  ! damaged  x freed  H header  "
                                     "L free-list link  C chunk header  G guard  . unused  ^ offset  "
                                     "* free-list head  : chunk/slot start\n");
    /* unknown bytes (a plugin without describe) are named where a map has them */
    sb_clear(&sb);
    looks_legend(&sb, true, true);
    assert_non_null(strstr(sb_str(&sb), "x freed  ? unknown (not described by the allocator)  H header"));
    sb_clear(&sb);
    looks_legend(&sb, false, true);
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        if (l->legend) {
            assert_non_null(strstr(sb_str(&sb), l->utf8));
            assert_non_null(strstr(sb_str(&sb), l->legend));
        }
    }
    sb_free(&sb);
}

static void test_marks_in_priority_order(void **state)
{
    (void)state;
    assert_int_equal(looks_mark_char(0), ' ');
    assert_int_equal(looks_mark_char(CELL_MARK_BOUNDARY), ':');
    assert_int_equal(looks_mark_char(CELL_MARK_BOUNDARY | CELL_MARK_FREE_HEAD), '*');
    assert_int_equal(looks_mark_char(CELL_MARK_OFFSET | CELL_MARK_FREE_HEAD), '^');
    /* underlining is how a change is marked: no mark and no role is drawn so */
    assert_false(looks_mark_attrs(0xff) & LOOKS_UNDERLINE);
    for (int st = 0; st < STYLE_COUNT; st++)
        if (st != STYLE_CHANGED)
            assert_false((looks_style_of((looks_style)st)->colour_attrs | looks_style_of((looks_style)st)->mono_attrs) &
                         LOOKS_UNDERLINE);
    assert_true(looks_style_of(STYLE_CHANGED)->mono_attrs & LOOKS_UNDERLINE);
    cell c = {.role = CELL_LIVE, .block = 3, .marks = CELL_MARK_OFFSET};
    assert_int_equal(looks_cell_style(&c), STYLE_OFFSET);
    c.marks = 0;
    assert_int_equal(looks_cell_style(&c), STYLE_LIVE0 + 3);
}

static void test_styles_have_names_and_rgb(void **state)
{
    (void)state;
    for (int s = 0; s < STYLE_COUNT; s++) {
        const looks_style_spec *st = looks_style_of((looks_style)s);
        assert_non_null(st->name);
        for (int k = s + 1; k < STYLE_COUNT; k++)
            assert_string_not_equal(st->name, looks_style_of((looks_style)k)->name);
    }
    looks_colour none = LOOKS_NONE, red = LOOKS_C(LOOKS_RED, 1), cube = LOOKS_C(LOOKS_BLUE, 33),
                 grey = LOOKS_C(LOOKS_WHITE, 244);
    assert_int_equal(looks_rgb(red, LOOKS_THEME_DARK, true), 0xcd0000);
    assert_int_equal(looks_rgb(cube, LOOKS_THEME_LIGHT, false), 0x0087ff);
    assert_int_equal(looks_rgb(grey, LOOKS_THEME_DARK, false), 0x808080);
    /* the default colours follow the theme */
    assert_true(looks_rgb(none, LOOKS_THEME_DARK, false) != looks_rgb(none, LOOKS_THEME_LIGHT, false));
    assert_int_equal(looks_rgb(none, LOOKS_THEME_DARK, true), looks_rgb(none, LOOKS_THEME_LIGHT, false));
    /* the live blocks' colours all differ, at 256 colours */
    for (int a = 0; a < LOOKS_LIVE_COLOURS; a++)
        for (int b = a + 1; b < LOOKS_LIVE_COLOURS; b++)
            assert_int_not_equal(looks_style_of(STYLE_LIVE0 + a)->bg.c256, looks_style_of(STYLE_LIVE0 + b)->bg.c256);
    assert_int_equal(looks_live_style(7), STYLE_LIVE0 + 7 % LOOKS_LIVE_COLOURS);
    assert_int_equal(looks_live_style(-1), STYLE_LIVE0);
    /* no live colour is another role's: metadata, padding, freed, the offset */
    static const looks_style others[] = {STYLE_META, STYLE_PADDING, STYLE_FREED, STYLE_OFFSET};
    for (int a = 0; a < LOOKS_LIVE_COLOURS; a++)
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
            looks_colour live = looks_style_of(STYLE_LIVE0 + a)->bg, other = looks_area(others[k]);
            assert_int_not_equal(live.c256, other.c256);
            assert_int_not_equal(live.c8, other.c8);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_role_and_kind_has_a_look),
        cmocka_unit_test(test_unknown_looks_like_nothing_else),
        cmocka_unit_test(test_glyphs_are_one_character),
        cmocka_unit_test(test_legend_comes_from_the_table),
        cmocka_unit_test(test_marks_in_priority_order),
        cmocka_unit_test(test_styles_have_names_and_rgb),
    };
    return cmocka_run_group_tests_name("looks", tests, NULL, NULL);
}
