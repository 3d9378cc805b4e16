/* no_descriptor.c - a shared library that forgot to export allocscope_plugin. */
int allocscope_plugin_typo;
int allocscope_plugin_typo = 1;
