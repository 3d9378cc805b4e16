/*
 * htmlout.c - a scene as one self-contained HTML page (see htmlout.h).
 *
 * Each state is five arrays of numbers: m, the map's cells (face ids); b,
 * the block table (string id * 2 + live); w, the warnings (string ids);
 * n, the header figures; x, the other texts (string ids). Line k of the
 * page's data holds what step k changed, group by group (m;b;w;n;x), each
 * change "INDEX:VALUE" in base 36, or ":VALUE" for the index after the
 * last one, or "=LENGTH" when it shrinks; a figure's VALUE is "+D" or "-D", what it moved
 * by. Line 0 is the first state. The script applies
 * lines forward and keeps what they replaced to step back.
 */
#include "allocscope/htmlout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/cells.h"
#include "allocscope/looks.h"
#include "allocscope/screen.h"
#include "allocscope/svgout.h"

enum { G_MAP, G_BLOCKS, G_WARNINGS, G_FIGURES, G_TEXTS, G_COUNT };

/* The figures of the header (group n) and the texts (group x). */
enum { N_CAPACITY, N_USED, N_UNKNOWN, N_OFFSET, N_PADDING, N_LIVE, N_LIVE_BYTES, N_PEAK, N_ZOOM, N_STEP, N_WARNINGS,
       N_FIRST_BLOCK, N_COUNT };

/* The block table holds the newest blocks, as the live view's does. */
#define HTMLOUT_TABLE_ROWS 200
enum { X_ACTIVE, X_KIND, X_DESCRIPTION, X_ALLOCATORS, X_CAPTION, X_SHAPE, X_COUNT };

typedef struct vec {
    size_t *v;
    size_t len, cap;
} vec;

static bool vec_set(vec *a, size_t i, size_t value)
{
    if (i >= a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        while (cap <= i)
            cap *= 2;
        size_t *grown = realloc(a->v, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        a->v = grown, a->cap = cap;
    }
    a->v[i] = value;
    if (i >= a->len)
        a->len = i + 1;
    return true;
}

/* Strings kept once: an open-addressing table of offsets into a pool. */
typedef struct interned {
    strbuf pool;           /* the strings, each NUL-terminated */
    vec offsets;           /* string id -> offset in pool */
    size_t *slots;         /* id + 1, or 0 */
    size_t slot_count;
} interned;

static uint64_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const char *interned_at(const interned *t, size_t id) { return t->pool.data + t->offsets.v[id]; }

static bool grow_slots(interned *t)
{
    size_t count = t->slot_count ? t->slot_count * 2 : 1024;
    size_t *slots = calloc(count, sizeof *slots);
    if (slots == NULL)
        return false;
    for (size_t id = 0; id < t->offsets.len; id++) {
        size_t k = hash_of(interned_at(t, id)) & (count - 1);
        while (slots[k])
            k = (k + 1) & (count - 1);
        slots[k] = id + 1;
    }
    free(t->slots);
    t->slots = slots, t->slot_count = count;
    return true;
}

/* The id of s, added if new; (size_t)-1 when out of memory. */
static size_t intern(interned *t, const char *s)
{
    if ((t->offsets.len + 1) * 2 > t->slot_count && !grow_slots(t))
        return (size_t)-1;
    size_t k = hash_of(s) & (t->slot_count - 1);
    for (; t->slots[k]; k = (k + 1) & (t->slot_count - 1))
        if (strcmp(interned_at(t, t->slots[k] - 1), s) == 0)
            return t->slots[k] - 1;
    size_t id = t->offsets.len, at = t->pool.len;
    sb_add(&t->pool, s);
    sb_addc(&t->pool, '\0');
    if (t->pool.truncated || !vec_set(&t->offsets, id, at))
        return (size_t)-1;
    t->slots[k] = id + 1;
    return id;
}

static void interned_free(interned *t)
{
    sb_free(&t->pool);
    free(t->offsets.v);
    free(t->slots);
}

typedef struct page {
    looks_theme theme;
    bool ascii;
    interned strings, faces;  /* faces: "fill ink bold underline dim glyph" */
    vec now[G_COUNT], before[G_COUNT];
    cells_grid grid, prev;    /* this step's and the last one's */
    screen_layout lay;
    strbuf data;
    bool oom;
    bool slack, damaged;      /* some step's map has slack / damaged cells */
    bool unknown;             /* some step's map has unknown cells (a plugin without describe) */
} page;

/* A JSON string that is safe inside <script>: '<' escaped too. */
static void json_html(strbuf *out, const char *s)
{
    strbuf tmp;
    sb_init(&tmp);
    sb_json_string(&tmp, s);
    for (const char *p = sb_str(&tmp); *p; p++) {
        if (*p == '<')
            sb_add(out, "\\u003c");
        else
            sb_addc(out, *p);
    }
    sb_free(&tmp);
}

static void base36(strbuf *out, size_t v)
{
    char buf[16];
    int n = 0;
    do
        buf[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
    while ((v /= 36) > 0);
    while (n)
        sb_addc(out, buf[--n]);
}

static void put(page *pg, int group, size_t i, size_t value) { pg->oom |= !vec_set(&pg->now[group], i, value); }

static void put_text(page *pg, int group, size_t i, const char *s)
{
    size_t id = intern(&pg->strings, s);
    pg->oom |= id == (size_t)-1;
    put(pg, group, i, id);
}

static bool same_cell(const cell *a, const cell *b)
{
    return a->role == b->role && a->meta == b->meta && a->marks == b->marks && a->label == b->label &&
           a->block == b->block && a->beneath == b->beneath;
}

/* The faces of the map's cells; a cell the same as in the last step keeps
 * its face. */
static void map_state(page *pg, const session *s)
{
    cells_grid t = pg->prev;
    pg->prev = pg->grid;
    pg->grid = t;
    if (pg->grid.blocks == NULL) { /* one block index follows the session for both */
        pg->grid.blocks = pg->prev.blocks;
        pg->prev.blocks = NULL;
    }
    pg->now[G_MAP].len = 0;
    /* the live view's map of the whole buffer (its w: a page holds every
     * step's cells, and a cut's finer cells would double a long scene's
     * page), merged free blocks drawn as one */
    static cells_free_node nodes[512];
    size_t nfree, cut_of, no_cut = 0;
    if (!svgout_build_grid(s, false, (size_t)pg->lay.map_cols * (size_t)pg->lay.map_rows, &no_cut, &pg->grid, nodes,
                           512, &nfree, &cut_of)) {
        pg->oom = true;
        return;
    }
    pg->slack |= pg->grid.usage.slack_bytes > 0;
    pg->damaged |= pg->grid.usage.damaged_bytes > 0;
    pg->unknown |= pg->grid.usage.unknown_bytes > 0;
    bool comparable = pg->prev.count == pg->grid.count && pg->prev.zoom == pg->grid.zoom &&
                      pg->before[G_MAP].len == pg->grid.count;
    char key[64];
    for (size_t i = 0; i < pg->grid.count; i++) {
        if (comparable && same_cell(&pg->prev.cells[i], &pg->grid.cells[i])) {
            put(pg, G_MAP, i, pg->before[G_MAP].v[i]);
            continue;
        }
        svgout_face f = svgout_cell_face(&pg->grid, i, pg->theme, pg->ascii, true, false);
        snprintf(key, sizeof key, "%06x %06x %d%d%d %s", f.filled ? (unsigned)f.fill : 0x1000000u, (unsigned)f.ink,
                 f.bold, f.underline, f.dim, f.glyph ? f.glyph : " ");
        size_t id = intern(&pg->faces, key);
        pg->oom |= id == (size_t)-1;
        put(pg, G_MAP, i, id);
    }
    size_t region_cells[CELLS_MAX_REGIONS];
    for (size_t r = 0; r < pg->grid.region_count; r++)
        region_cells[r] = pg->grid.regions[r].count;
    screen_map_shape sh = screen_map_shape_of(&pg->lay, region_cells, pg->grid.region_count);
    strbuf shape;
    sb_init(&shape);
    /* the page draws a cell one column wide, where the live view may widen
     * the cells of a small heap: then rows of the layout's map_cols cells */
    sb_printf(&shape, "%d %zu", sh.cell_width == 1 ? sh.cells_per_row : pg->lay.map_cols, pg->grid.zoom);
    for (size_t r = 0; r < pg->grid.region_count; r++)
        sb_printf(&shape, "|%zu,%zu,%zu", pg->grid.regions[r].first, pg->grid.regions[r].count,
                  pg->grid.regions[r].bytes);
    put_text(pg, G_TEXTS, X_SHAPE, sb_str(&shape));
    sb_free(&shape);
}

static void state_of(page *pg, player *p)
{
    session *s = player_session(p);
    map_state(pg, s);
    char line[640];
    /* the window moves by half its size at a time, so its rows stay put in between */
    size_t nb = session_block_count(s), half = HTMLOUT_TABLE_ROWS / 2;
    size_t first = nb > HTMLOUT_TABLE_ROWS ? (nb - HTMLOUT_TABLE_ROWS) / half * half + half : 0;
    pg->now[G_BLOCKS].len = 0;
    for (size_t i = first; i < nb; i++) {
        session_block b = session_block_at(s, i);
        snprintf(line, sizeof line, "%s %zu %zu %zu %zu", b.name, b.offset, b.size, b.align, b.padding);
        size_t id = intern(&pg->strings, line);
        pg->oom |= id == (size_t)-1;
        put(pg, G_BLOCKS, i - first, id * 2 + b.live);
    }
    pg->now[G_WARNINGS].len = 0;
    for (size_t i = 0; i < session_warning_count(s); i++) {
        session_warning w = session_warning_at(s, i);
        svgout_warning_text(s, &w, line, sizeof line);
        put_text(pg, G_WARNINGS, i, line);
    }
    session_stats st;
    session_stats_from_usage(s, &pg->grid.usage, &st);
    size_t used = screen_used_bytes(&st);
    /* free is capacity - used - unknown, and the step is told by how far it is behind the
     * player's position (it stays put but for steps that failed): the page works
     * both out, so they cost nothing a step */
    size_t pos = player_position(p), step = session_step(s) < pos ? session_step(s) : pos;
    size_t figures[N_COUNT] = {st.capacity, used, st.unknown_bytes, st.has_offset ? st.offset + 1 : 0,
                               st.padding_bytes, st.live_blocks, st.live_bytes, st.peak_bytes, pg->grid.zoom,
                               pos - step, session_warning_count(s), first};
    for (int k = 0; k < N_COUNT; k++)
        put(pg, G_FIGURES, (size_t)k, figures[k]);
    bool active = session_has_active(s);
    put_text(pg, G_TEXTS, X_ACTIVE, active ? session_active_name(s) : "");
    put_text(pg, G_TEXTS, X_KIND, active ? session_active_kind(s) : "");
    put_text(pg, G_TEXTS, X_DESCRIPTION, active ? session_active_description(s) : "");
    strbuf names;
    sb_init(&names);
    for (size_t i = 0; i < session_allocator_count(s); i++)
        sb_printf(&names, i == session_active_index(s) ? "[%s] " : "%s ", session_allocator_name(s, i));
    put_text(pg, G_TEXTS, X_ALLOCATORS, sb_str(&names));
    sb_free(&names);
    /* after a question the caption asks the class to predict (as the live view and the SVG do) */
    const player_step *last = pos ? player_step_at(p, pos - 1) : NULL;
    strbuf cap;
    sb_init(&cap);
    sb_printf(&cap, "%s%s", last && last->kind == PLAYER_ASK ? "Predict: " : "", player_caption(p));
    put_text(pg, G_TEXTS, X_CAPTION, sb_str(&cap));
    sb_free(&cap);
}

/* Appends the line of changes from before to now, and makes before now. */
static void diff_line(page *pg)
{
    strbuf *out = &pg->data;
    for (int g = 0; g < G_COUNT; g++) {
        if (g)
            sb_addc(out, ';');
        vec *a = &pg->before[g], *b = &pg->now[g];
        bool any = false;
        if (b->len < a->len) { /* growing needs no length: the new entries follow */
            sb_addc(out, '=');
            base36(out, b->len);
            any = true;
        }
        size_t last = (size_t)-1;
        for (size_t i = 0; i < b->len; i++) {
            if (i < a->len && a->v[i] == b->v[i])
                continue;
            if (any)
                sb_addc(out, ',');
            any = true;
            if (i != last + 1)
                base36(out, i);
            sb_addc(out, ':');
            if (g == G_FIGURES && i < a->len) { /* figures move by small amounts */
                bool up = b->v[i] > a->v[i];
                sb_addc(out, up ? '+' : '-');
                base36(out, up ? b->v[i] - a->v[i] : a->v[i] - b->v[i]);
            } else {
                base36(out, b->v[i]);
            }
            last = i;
        }
        a->len = 0;
        for (size_t i = 0; i < b->len; i++)
            pg->oom |= !vec_set(a, i, b->v[i]);
        a->len = b->len;
    }
    /* trailing empty groups say nothing */
    while (out->len && out->data[out->len - 1] == ';')
        out->data[--out->len] = '\0';
    sb_addc(out, '\n');
}

static const char *hex(uint32_t rgb, char buf[8])
{
    snprintf(buf, 8, "#%06x", (unsigned)rgb);
    return buf;
}

/* A CSS rule for each style (.sN) and each face of the map (.fN). */
static void css(const page *pg, strbuf *out)
{
    char a[8], b[8];
    uint32_t fg = looks_rgb((looks_colour)LOOKS_NONE, pg->theme, true);
    uint32_t bg = looks_rgb((looks_colour)LOOKS_NONE, pg->theme, false);
    sb_printf(out, "body{background:%s;color:%s}\n", hex(bg, a), hex(fg, b));
    for (int s = 0; s < STYLE_COUNT; s++) { /* as svgout draws them */
        const looks_style_spec *st = looks_style_of((looks_style)s);
        svgout_ink ink = svgout_style_ink((looks_style)s, pg->theme);
        sb_printf(out, ".s%d{color:%s;%s%s%s%s}\n", s, hex(ink.fg, a), ink.has_bg ? "background:" : "",
                  ink.has_bg ? hex(ink.bg, b) : "", ink.has_bg ? ";" : "",
                  st->colour_attrs & LOOKS_BOLD ? "font-weight:bold;" : "");
        if (st->colour_attrs & LOOKS_DIM)
            sb_printf(out, ".s%d{opacity:.65}\n", s);
    }
    /* a freed block's name: a tag in the colour the block had, on the page */
    for (int k = 0; k < LOOKS_LIVE_COLOURS; k++) {
        svgout_ink ink = svgout_ink_of(looks_area(looks_live_style(k)), (looks_colour)LOOKS_NONE, LOOKS_BOLD, pg->theme);
        sb_printf(out, ".t%d{color:%s;font-weight:bold}\n", k, hex(ink.fg, a));
    }
    /* what the last step changed: bold, underlined, a bar at a cell's foot
     * (white over a block's colour, the change's ink on the page) */
    const looks_style_spec *cs = looks_style_of(STYLE_CHANGED);
    svgout_ink on_page = svgout_ink_of(cs->fg, (looks_colour)LOOKS_NONE, 0, pg->theme);
    svgout_ink on_fill = svgout_ink_of(cs->fg, looks_area(STYLE_LIVE0), 0, pg->theme);
    sb_printf(out, ".ch{font-weight:bold;text-decoration:underline}#map span.ch,#legend span.ch{box-shadow:inset 0 -3px 0 %s}\n",
              hex(on_page.fg, a));
    for (size_t id = 0; id < pg->faces.offsets.len; id++) {
        unsigned fill, ink;
        int bold, ul, dim;
        if (sscanf(interned_at(&pg->faces, id), "%x %x %1d%1d%1d", &fill, &ink, &bold, &ul, &dim) != 5)
            continue;
        sb_printf(out, ".f%zu{color:%s", id, hex(ink, a));
        if (fill <= 0xffffff)
            sb_printf(out, ";background:%s", hex(fill, b));
        sb_printf(out, "%s%s%s}\n", bold ? ";font-weight:bold" : "", ul ? ";text-decoration:underline" : "",
                  dim ? ";opacity:.65" : "");
        if (fill <= 0xffffff)
            sb_printf(out, "#map span.f%zu.ch{box-shadow:inset 0 -3px 0 %s}\n", id, hex(on_fill.fg, a));
    }
}

/* The legend, from the table of looks: slack, damaged and unknown cells
 * named only when some step of the scene has them (the live view names them
 * where the map has them). */
static void legend(const page *pg, strbuf *out)
{
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        const looks_cell_spec *prev = id ? looks_cell_of((looks_id)(id - 1)) : NULL;
        if (l->word == NULL || (prev && prev->word && strcmp(prev->word, l->word) == 0))
            continue;
        if ((id == LOOK_SLACK && !pg->slack) || (id == LOOK_DAMAGED && !pg->damaged) ||
            (id == LOOK_UNKNOWN && !pg->unknown))
            continue;
        char colour[8];
        if (id == LOOK_CHANGED) { /* a cell of block 0 as the map marks a change */
            sb_printf(out, "<span class=\"ch\" style=\"background:%s\">&nbsp;</span> changed by the last step &nbsp;",
                      hex(looks_rgb(looks_area(STYLE_LIVE0), pg->theme, false), colour));
            continue;
        }
        if (l->role == CELL_LIVE) /* the live view's fill: the block's colour on the background */
            sb_printf(out, "<span style=\"color:%s\">", hex(looks_rgb(looks_area(STYLE_LIVE0), pg->theme, false), colour));
        else
            sb_printf(out, "<span class=\"s%d\">", (int)l->style);
        sb_printf(out, "%s</span> %s &nbsp;", looks_glyph((looks_id)id, pg->ascii), l->word);
    }
    size_t n;
    const looks_mark_spec *marks = looks_marks(&n);
    for (size_t i = 0; i < n; i++)
        if (marks[i].style >= 0 && marks[i].legend)
            sb_printf(out, "<span class=\"s%d\">&nbsp;</span> %s &nbsp;", marks[i].style, marks[i].legend);
}

static const char page_style[] =
    "body{font:14px/1.35 'DejaVu Sans Mono',Menlo,Consolas,monospace;margin:0;padding:8px}\n"
    "#hdr div{white-space:pre;overflow:hidden}#h1{font-weight:bold}\n"
    "#main{display:flex;gap:16px;align-items:flex-start;margin-top:6px}\n"
    "#map{margin:0;white-space:pre;line-height:1.25}#map span{display:inline-block;width:1ch;text-align:center}\n"

    "#side{min-width:44ch}#tbl{white-space:pre;max-height:24em;overflow:auto}#warn{white-space:pre-wrap;margin-top:8px}\n"
    "#caption{padding:.6em 1em;margin:8px 0;font-weight:bold;min-height:2.6em;white-space:pre-wrap}\n"
    "#bar{display:flex;gap:8px;align-items:center;flex-wrap:wrap}#sl{flex:1;min-width:200px}\n"
    "#cmd{white-space:pre}.u{text-decoration:underline;font-weight:bold}#legend{margin-top:4px;opacity:.9}\n"
    "button{font:inherit}\n";

/* The player: data lines are applied forward, their undo kept. */
static const char page_script[] =
    "(function(){'use strict';\n"
    "var T=JSON.parse(document.getElementById('T').textContent);\n"
    "var F=JSON.parse(document.getElementById('F').textContent);\n"
    "var P=JSON.parse(document.getElementById('P').textContent);\n"
    "var D=document.getElementById('D').textContent.split('\\n');\n"
    "var N=P.steps.length, G=5, cur=-1, undo=[], S=[[],[],[],[],[]], wb=[0];\n"
    "function $(i){return document.getElementById(i);}\n"
    "function esc(s){return String(s).replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;');}\n"
    "function pad(s,n,left){s=String(s);while(s.length<n)s=left?' '+s:s+' ';return s;}\n"
    "function changes(k){var line=D[k]||'',gs=line.split(';'),out=[];\n"
    " for(var g=0;g<G;g++){var L=[],e=gs[g]?gs[g].split(','):[],last=-1;\n"
    "  for(var j=0;j<e.length;j++){var x=e[j];if(!x)continue;\n"
    "   if(x[0]==='='){L.push([-1,parseInt(x.slice(1),36)]);continue;}\n"
    "   var c=x.indexOf(':'),i=c>0?parseInt(x.slice(0,c),36):last+1,v=x.slice(c+1);last=i;\n"
    "   L.push([i,v[0]==='+'||v[0]==='-'?v:parseInt(v,36)]);}\n"
    "  out.push(L);}return out;}\n"
    "function apply(k){var ch=changes(k),u=[];wb.push(S[2].length);\n"
    " for(var g=0;g<G;g++){var a=S[g];ch[g].forEach(function(c){\n"
    "  if(c[0]<0){u.push([g,-1,a.slice(c[1]),a.length]);a.length=Math.min(a.length,c[1]);}\n"
    "  else{u.push([g,c[0],a[c[0]]]);var v=c[1];\n"
    "   if(typeof v==='string')v=a[c[0]]+(v[0]==='+'?1:-1)*parseInt(v.slice(1),36);a[c[0]]=v;}});}\n"
    " undo.push(u);cur=k;}\n"
    "function back(){var u=undo.pop();wb.pop();for(var j=u.length-1;j>=0;j--){var r=u[j],a=S[r[0]];\n"
    " if(r[1]<0){a.length=r[3]-r[2].length;Array.prototype.push.apply(a,r[2]);a.length=r[3];}\n"
    " else if(r[2]===undefined){a.length=Math.min(a.length,r[1]);}else a[r[1]]=r[2];}cur--;}\n"
    "function go(k){k=Math.max(0,Math.min(N,k|0));while(cur<k)apply(cur+1);while(cur>k)back();draw();}\n"
    "function mark(i){return P.kinds[i]!=='c';}\n"
    "function nextNote(){var k=cur;while(k<N){k++;if(mark(k-1))break;}go(k);}\n"
    "function prevNote(){var k=cur;if(k>0&&mark(k-1))k--;while(k>0&&!mark(k-1))k--;go(k);}\n"
    "function drawMap(){var n=S[3],x=S[4],shape=T[x[5]].split('|'),head=shape[0].split(' ');\n"
    " var cpr=+head[0],zoom=+head[1],changed={},h=[];\n"
    " var k=cur;while(k>1&&cur-k<1000&&!changes(k)[0].length)k--;\n" /* a step that changes nothing keeps the last change */
    " if(k>0)changes(k)[0].forEach(function(c){if(c[0]>=0)changed[c[0]]=1;});\n"
    " if(shape.length<2){$('map').textContent=T[x[0]]?'(this allocator owns no memory yet)':'(no allocator yet)';return;}\n"
    " var r='         ';for(var c=0;c<cpr;c+=16)r+=pad('+'+c*zoom,16);h.push(r.replace(/ +$/,''));\n"
    " for(var g=1;g<shape.length;g++){var p=shape[g].split(','),first=+p[0],count=+p[1];\n"
    "  if(shape.length>2)h.push('  \\u2500\\u2500 region '+(g-1)+': '+p[2]+' bytes \\u2500\\u2500');\n"
    "  for(var row=0;row<count;row+=cpr){var s=pad(row*zoom,7,1)+' ';\n"
    "   for(var i=first+row;i<first+Math.min(count,row+cpr);i++){var f=S[0][i];\n"
    "    s+='<span class=\"f'+f+(changed[i]?' ch':'')+'\" data-i=\"'+i+'\">'+esc(F[f])+'</span>';}\n"
    "   h.push(s);}}\n"
    " $('map').innerHTML=h.join('\\n');}\n"
    "function draw(){var n=S[3],x=S[4];\n"
    " $('h1').textContent=T[x[0]]?' '+T[x[0]]+' ('+T[x[1]]+')  capacity '+n[0]+'  used '+n[1]+'  free '+(n[0]-n[1]-n[2])+\n"
    "  (n[3]?'  offset '+(n[3]-1):'')+'  padding '+n[4]+(n[2]?'  unknown '+n[2]:'')+'  live '+n[5]+' ('+n[6]+' B)  peak '+n[7]+'  zoom '+n[8]+' B/cell'\n"
    "  :' allocscope: no allocator yet';\n"
    " $('h2').textContent=' allocators: '+T[x[3]]+'   '+T[x[2]]+'   step '+(cur-n[9])+'  warnings '+n[10];\n"
    " drawMap();\n"
    " var b=S[1],rows=[],base=n[11];\n"
    " rows.push('<span class=\"u\">'+esc(pad('block',10)+' '+pad('offset',7,1)+' '+pad('size',6,1)+' '+pad('align',5,1)+' '+pad('pad',4,1)+' state')+'</span>');\n"
    " for(var i=0;i<b.length;i++){var t=T[b[i]>>1].split(' '),live=b[i]&1;\n"
    "  rows.push('<span class=\"'+(live?'s'+(STYLE_LIVE0+(base+i)%6):'t'+(base+i)%6)+'\" style=\"font-weight:bold\">'+esc(pad(t[0].slice(0,10),10))+'</span> '+\n"
    "   '<span'+(live?'':' class=\"s'+STYLE_DIM+'\"')+'>'+esc(pad(t[1],7,1)+' '+pad(t[2],6,1)+' '+pad(t[3],5,1)+' '+pad(t[4],4,1)+' '+(live?'live':'freed'))+'</span>');}\n"
    " if(!b.length)rows.push('(no blocks yet)');\n"
    " $('tbl').innerHTML=rows.join('\\n');$('tbl').scrollTop=1e9;\n"
    " var w=S[2],ws=['<span class=\"u\">warnings ('+w.length+')'+(w.length>1?' newest first':'')+'</span>'],fresh=wb[wb.length-1];\n"
    " for(var i=w.length-1;i>=Math.max(0,w.length-50);i--)ws.push('<span class=\"s'+(i>=fresh?STYLE_ERROR:STYLE_WARNING)+'\">'+esc(T[w[i]])+'</span>');\n"
    " if(!w.length)ws.push('(none)');$('warn').innerHTML=ws.join('\\n');\n"
    " $('caption').textContent=T[x[4]];\n"
    " $('pos').textContent='step '+cur+'/'+N;$('cmd').textContent=cur?P.steps[cur-1].split('\\n')[0]:'(start)';\n"
    " $('sl').value=cur;document.title=P.title+' - step '+cur;\n"
    " try{history.replaceState(null,'','#step='+cur);}catch(e){}}\n"
    "var timer=null;function play(){if(timer){clearInterval(timer);timer=null;$('pl').textContent='play';return;}\n"
    " $('pl').textContent='pause';timer=setInterval(function(){if(cur>=N){play();return;}\n"
    "  go(cur+1);if(P.kinds[cur-1]==='p')play();},700);}\n"
    "$('ps').onclick=function(){go(cur-1);};$('ns').onclick=function(){go(cur+1);};\n"
    "$('pn').onclick=prevNote;$('nn').onclick=nextNote;$('pl').onclick=play;\n"
    "$('sl').max=N;$('sl').oninput=function(){go(+this.value);};\n"
    "document.addEventListener('keydown',function(e){var k=e.key;if(e.target.tagName==='INPUT'&&k.indexOf('Arrow')===0)return;\n"
    " if(k==='ArrowRight'||k==='n'||k==='.')go(cur+1);else if(k==='ArrowLeft'||k==='p'||k===',')go(cur-1);\n"
    " else if(k===']')nextNote();else if(k==='[')prevNote();else if(k==='Home')go(0);else if(k==='End')go(N);\n"
    " else if(k===' ')play();else return;e.preventDefault();});\n"
    "function fromHash(){var m=/step=(\\d+)/.exec(location.hash);return m?+m[1]:0;}\n"
    "window.addEventListener('hashchange',function(){var k=fromHash();if(k!==cur)go(k);});\n"
    "go(fromHash());\n"
    "})();\n";

static void page_doc(page *pg, player *p, strbuf *out)
{
    sb_add(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width\">\n<title>allocscope: ");
    strbuf t;
    sb_init(&t);
    for (const char *c = player_name(p); *c; c++)
        if (*c == '<' || *c == '&')
            sb_add(&t, *c == '<' ? "&lt;" : "&amp;");
        else
            sb_addc(&t, *c);
    sb_add(out, sb_str(&t));
    sb_free(&t);
    sb_add(out, "</title>\n<style>\n");
    sb_add(out, page_style);
    css(pg, out);
    sb_printf(out, "#hdr #h1{}\n</style></head>\n<body>\n<div id=\"hdr\"><div id=\"h1\" class=\"s%d\"></div>"
                   "<div id=\"h2\" class=\"s%d\"></div></div>\n", STYLE_HEADER, STYLE_DIM);
    sb_add(out, "<div id=\"main\"><div><pre id=\"map\"></pre><div id=\"legend\">");
    legend(pg, out);
    sb_add(out, "</div></div>\n<div id=\"side\"><div id=\"tbl\"></div><div id=\"warn\"></div></div></div>\n");
    sb_printf(out, "<div id=\"caption\" class=\"s%d\"></div>\n", STYLE_CAPTION);
    sb_add(out, "<div id=\"bar\"><button id=\"pn\" title=\"previous note or pause ([)\">[ note</button>"
                "<button id=\"ps\" title=\"previous step (left arrow)\">&larr; step</button>"
                "<button id=\"pl\" title=\"play / pause (space)\">play</button>"
                "<button id=\"ns\" title=\"next step (right arrow)\">step &rarr;</button>"
                "<button id=\"nn\" title=\"next note or pause (])\">note ]</button>"
                "<input type=\"range\" id=\"sl\" min=\"0\" value=\"0\" aria-label=\"step\">"
                "<span id=\"pos\"></span> <span id=\"cmd\"></span></div>\n");
    sb_add(out, "<script type=\"application/json\" id=\"T\">[");
    for (size_t i = 0; i < pg->strings.offsets.len; i++) {
        if (i)
            sb_addc(out, ',');
        json_html(out, interned_at(&pg->strings, i));
    }
    sb_add(out, "]</script>\n<script type=\"application/json\" id=\"F\">[");
    for (size_t i = 0; i < pg->faces.offsets.len; i++) {
        const char *key = interned_at(&pg->faces, i);
        const char *glyph = strchr(strchr(strchr(key, ' ') + 1, ' ') + 1, ' ') + 1;
        if (i)
            sb_addc(out, ',');
        json_html(out, glyph);
    }
    sb_add(out, "]</script>\n<script type=\"application/json\" id=\"P\">{\"title\":");
    json_html(out, player_name(p));
    sb_add(out, ",\"steps\":[");
    strbuf kinds;
    sb_init(&kinds);
    for (size_t i = 0; i < player_length(p); i++) {
        const player_step *st = player_step_at(p, i);
        if (i)
            sb_addc(out, ',');
        json_html(out, st->text);
        sb_addc(&kinds, st->kind == PLAYER_NOTE ? 'n' : st->kind == PLAYER_PAUSE ? 'p' : 'c');
    }
    sb_add(out, "],\"kinds\":");
    json_html(out, sb_str(&kinds));
    sb_free(&kinds);
    sb_add(out, "}</script>\n<script type=\"text/plain\" id=\"D\">");
    sb_addn(out, pg->data.data ? pg->data.data : "", pg->data.len);
    sb_printf(out, "</script>\n<script>\nvar STYLE_LIVE0=%d,STYLE_FREED=%d,STYLE_DIM=%d,STYLE_ERROR=%d,"
                   "STYLE_WARNING=%d;\n",
              STYLE_LIVE0, STYLE_FREED, STYLE_DIM, STYLE_ERROR, STYLE_WARNING);
    sb_add(out, page_script);
    sb_add(out, "</script>\n</body></html>\n");
}

bool htmlout_render(player *p, bool dark, bool ascii, strbuf *out)
{
    page *pg = calloc(1, sizeof *pg);
    if (pg == NULL)
        return false;
    pg->theme = dark ? LOOKS_THEME_DARK : LOOKS_THEME_LIGHT;
    pg->ascii = ascii;
    sb_init(&pg->strings.pool);
    sb_init(&pg->faces.pool);
    sb_init(&pg->data);
    cells_init(&pg->grid);
    cells_init(&pg->prev);
    screen_compute(SVGOUT_DEFAULT_ROWS, SVGOUT_DEFAULT_COLS, true, &pg->lay);
    player_seek(p, 0);
    for (bool more = true; more && !pg->oom;) {
        state_of(pg, p);
        diff_line(pg);
        more = player_next(p);
    }
    bool ok = !pg->oom && !pg->data.truncated;
    if (ok)
        page_doc(pg, p, out);
    for (int g = 0; g < G_COUNT; g++) {
        free(pg->now[g].v);
        free(pg->before[g].v);
    }
    interned_free(&pg->strings);
    interned_free(&pg->faces);
    sb_free(&pg->data);
    cells_free(&pg->grid);
    cells_free(&pg->prev);
    free(pg);
    return ok && !out->truncated;
}

bool htmlout_write(const char *scene, const char *path, bool dark, bool ascii, bool force, strbuf *err)
{
    player *p = player_open(scene, err);
    if (p == NULL)
        return false;
    strbuf html;
    sb_init(&html);
    bool ok = htmlout_render(p, dark, ascii, &html);
    if (!ok)
        sb_add(err, "out of memory");
    ok = ok && svgout_write_file(path, html.data, html.len, force, err);
    sb_free(&html);
    player_close(p);
    return ok;
}
