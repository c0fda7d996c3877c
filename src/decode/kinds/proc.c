/*
 * Kinds of the proc family.  See src/core/kinds.h.
 */
#include "core/kinds.h"
