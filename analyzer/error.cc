#include "analyzer/error.h"

#include <exception>

namespace layerdiff {

void rethrow_with_context(const std::string& context) {
  try {
    throw;
  } catch (const LimitError& e) {
    throw LimitError(context + ": " + e.what());
  } catch (const Error& e) {
    throw Error(context + ": " + e.what());
  }
}

}  // namespace layerdiff
