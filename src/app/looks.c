/*
 * looks.c - the tables of styles, cell looks and marks (see looks.h).
 */
#include "allocscope/looks.h"

#include <stddef.h>
#include <string.h>

#include "allocscope/allocator.h"

#define STYLE_ROW(id, name, fg, bg, colour_attrs, mono_attrs) [id] = {name, fg, bg, colour_attrs, mono_attrs},
static const looks_style_spec styles[STYLE_COUNT] = {LOOKS_STYLES(STYLE_ROW)};
#undef STYLE_ROW

#define CELL_ROW(id, role, utf8, ascii, style, word, legend) [id] = {role, utf8, ascii, style, word, legend},
static const looks_cell_spec cell_looks[LOOK_COUNT] = {LOOKS_CELLS(CELL_ROW)};
#undef CELL_ROW

#define MARK_ROW(bit, ch, style, attrs, legend) {bit, ch, style, attrs, legend},
static const looks_mark_spec marks[] = {LOOKS_MARKS(MARK_ROW)};
#undef MARK_ROW

/* Metadata is drawn by its kind. */
static const uint8_t look_of_meta[] = {
    [AS_META_NONE] = LOOK_META,   [AS_META_HEADER] = LOOK_HEADER, [AS_META_LINK] = LOOK_LINK,
    [AS_META_CHUNK] = LOOK_CHUNK, [AS_META_GUARD] = LOOK_GUARD,
};

const looks_style_spec *looks_style_of(looks_style s) { return &styles[s < STYLE_COUNT ? s : STYLE_TEXT]; }

looks_style looks_live_style(long block)
{
    return (looks_style)(STYLE_LIVE0 + (block >= 0 ? block % LOOKS_LIVE_COLOURS : 0));
}

looks_colour looks_area(looks_style s)
{
    const looks_style_spec *st = looks_style_of(s);
    looks_colour c = {st->bg.c8 != LOOKS_DEFAULT ? st->bg.c8 : st->fg.c8,
                      st->bg.c256 != LOOKS_DEFAULT ? st->bg.c256 : st->fg.c256};
    return c;
}

/* xterm's 256 colours: the sixteen, a 6x6x6 cube, 24 greys. */
static uint32_t xterm_rgb(int n)
{
    static const uint32_t sixteen[16] = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
                                         0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
                                         0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
    if (n < 16)
        return sixteen[n];
    if (n < 232) {
        static const uint32_t level[6] = {0, 95, 135, 175, 215, 255};
        n -= 16;
        return level[n / 36] << 16 | level[n / 6 % 6] << 8 | level[n % 6];
    }
    uint32_t g = (uint32_t)(8 + 10 * (n - 232));
    return g << 16 | g << 8 | g;
}

/* The light theme's inks: colours made to be read on a dark terminal that
 * are too pale as text on the light page take a darker one of the same
 * hue (xterm numbers). Fills and inks over a fill need none. */
static const struct {
    int16_t colour, on_light;
} light_ink[] = {
    {220, 94},  /* warning yellow -> dark gold */
    {203, 124}, /* error salmon -> dark red */
    {231, 16},  /* changed white -> black */
    {34, 28},   /* live0 green */
    {33, 25},   /* live1 blue */
    {208, 166}, /* live2 orange */
    {135, 91},  /* live3 purple */
    {205, 162}, /* live4 pink */
};

uint32_t looks_rgb(looks_colour c, looks_theme theme, bool foreground)
{
    if (c.c256 < 0 || c.c256 > 255) {
        bool dark = theme == LOOKS_THEME_DARK;
        return foreground == dark ? 0xe5e5e5 : 0x000000;
    }
    if (theme == LOOKS_THEME_LIGHT && foreground)
        for (size_t i = 0; i < sizeof light_ink / sizeof light_ink[0]; i++)
            if (light_ink[i].colour == c.c256)
                return xterm_rgb(light_ink[i].on_light);
    return xterm_rgb(c.c256);
}

static bool same_word(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

/* The first row of each role is its look; found once. */
static looks_id look_of_role(uint8_t role)
{
    static uint8_t first[CELL_ROLE_COUNT];
    static bool known;
    if (!known) {
        for (int r = 0; r < CELL_ROLE_COUNT; r++)
            first[r] = LOOK_UNUSED;
        for (int id = LOOK_COUNT; id-- > 0;)
            first[cell_looks[id].role] = (uint8_t)id;
        known = true;
    }
    return role < CELL_ROLE_COUNT ? (looks_id)first[role] : LOOK_UNUSED;
}

const looks_cell_spec *looks_cell_of(looks_id id) { return &cell_looks[id < LOOK_COUNT ? id : LOOK_UNUSED]; }

looks_id looks_of_cell(const cell *c)
{
    if (c->role == CELL_META && c->meta < sizeof look_of_meta / sizeof look_of_meta[0])
        return (looks_id)look_of_meta[c->meta];
    if (c->role == CELL_LIVE && c->block >= 0 && c->block % 2)
        return LOOK_LIVE_ALT;
    return look_of_role(c->role);
}

const char *looks_glyph(looks_id id, bool ascii)
{
    const looks_cell_spec *l = looks_cell_of(id);
    return ascii ? l->ascii : l->utf8;
}

looks_style looks_cell_style(const cell *c)
{
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if ((c->marks & marks[i].bit) && marks[i].style >= 0)
            return (looks_style)marks[i].style;
    if (c->role == CELL_LIVE)
        return looks_live_style(c->block);
    return looks_cell_of(looks_of_cell(c))->style;
}

const looks_mark_spec *looks_marks(size_t *count)
{
    *count = sizeof marks / sizeof marks[0];
    return marks;
}

char looks_mark_char(unsigned m)
{
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (m & marks[i].bit)
            return marks[i].ch;
    return ' ';
}

unsigned looks_mark_attrs(unsigned m)
{
    unsigned a = 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (m & marks[i].bit)
            a |= marks[i].attrs;
    return a;
}

void looks_legend(strbuf *out, bool ascii, bool with_unknown)
{
    sb_add(out, "legend:");
    bool first = true;
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = &cell_looks[id];
        if (l->legend == NULL || (id == LOOK_UNKNOWN && !with_unknown))
            continue;
        bool joins = id > 0 && same_word(cell_looks[id - 1].legend, l->legend);
        sb_add(out, joins || first ? " " : "  ");
        first = false;
        sb_add(out, ascii ? l->ascii : l->utf8);
        if (id + 1 < LOOK_COUNT && same_word(cell_looks[id + 1].legend, l->legend))
            continue;
        sb_addc(out, ' ');
        sb_add(out, l->legend);
    }
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (marks[i].legend)
            sb_printf(out, "  %c %s", marks[i].ch, marks[i].legend);
    sb_addc(out, '\n');
}
