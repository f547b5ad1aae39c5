#include "sources/open_image.h"

#include "analyzer/error.h"
#include "sources/daemon.h"
#include "sources/image_ref.h"

namespace layerdiff {

LoadedImage load_image(const std::string& arg, const ReadOptions& ro, const SourceOptions& so) {
  ImageRef ref = parse_image_ref(arg);
  switch (ref.kind) {
    case ImageRef::Path: {
      ReadOptions o = ro;
      if (!ref.image.empty()) o.image = ref.image;
      LoadedImage li = read_image(ref.path, o);
      if (ref.path != arg) li.info.source = arg;
      return li;
    }
    case ImageRef::Daemon:
      return read_image(open_daemon_image(ref.daemon_name, arg, ro), ro);
    case ImageRef::Registry: {
      SourceOptions s = so;
      s.registry.warnings = std::make_shared<std::vector<std::string>>();
      // A bare reference is read from a registry only because no such file exists: say so when
      // that fails, in case a file name was meant.
      try {
        LoadedImage li = read_image(open_registry_image(ref, s.registry, arg, ro), ro);
        li.warnings.insert(li.warnings.begin(), s.registry.warnings->begin(), s.registry.warnings->end());
        return li;
      } catch (const LimitError&) {
        throw;
      } catch (const Error& e) {
        if (!ref.bare) throw;
        throw Error(std::string(e.what()) + " [" + arg + " is no file here, so it was read as docker://" +
                    ref.name() + "]");
      }
    }
  }
  throw Error(arg + ": unknown transport");
}

}  // namespace layerdiff
