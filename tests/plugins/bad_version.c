/* bad_version.c - a plugin built against a future version of plugin.h. */
#include <allocscope/plugin.h>

static void *bv_init(void *region, size_t size, const char *options)
{
    (void)size, (void)options;
    return region;
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION + 1, .name = "from-the-future", .init = bv_init,
};
