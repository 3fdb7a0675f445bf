/* spiketrace — everything a plugin author includes. */
#ifndef SPIKETRACE_H
#define SPIKETRACE_H
#include <spiketrace/model.h>
#include <spiketrace/plugin.h>
#endif
