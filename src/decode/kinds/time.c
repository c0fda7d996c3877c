/*
 * Kinds of the time family.  See src/core/kinds.h.
 */
#include "core/kinds.h"
