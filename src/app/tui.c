/* tui.c - placeholder replaced by the live view. */
#include "allocscope/tui.h"

#include <stdio.h>

int tui_run(const tui_options *opt)
{
    (void)opt;
    fprintf(stderr, "allocscope: the live view is not built yet\n");
    return 2;
}
