/* Test plugin: a shared object without the entry symbol. */
int no_entry_here(void);

int no_entry_here(void)
{
	return 42;
}
