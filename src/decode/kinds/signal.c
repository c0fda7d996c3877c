/*
 * Kinds of the signal family.  See src/core/kinds.h.
 */
#include "core/kinds.h"
