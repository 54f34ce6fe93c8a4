/* Shared JSON helpers for the heuristic scorers. STUB */
#include "heuristic.h"
