/*
 * Kinds of the net family.  See src/core/kinds.h.
 */
#include "core/kinds.h"
