/*
 * Kinds of the mem family.  See src/core/kinds.h.
 */
#include "core/kinds.h"
