/*
 * Kinds of the ipc family.  See src/core/kinds.h.
 */
#include "core/kinds.h"
