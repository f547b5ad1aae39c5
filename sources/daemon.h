// daemon.h: an image in a Docker Engine (or podman's Docker-compatible service), read through
// `GET /images/{name}/get`: the daemon streams a `docker save` archive, which goes straight into
// the archive reader of formats/ (one pass, no temporary file).
// The daemon is $DOCKER_HOST: unix://PATH (default unix:///var/run/docker.sock) or tcp://HOST:PORT.
#pragma once

#include <memory>
#include <string>

#include "formats/image_reader.h"

namespace layerdiff {

/// Opens image `name` ("app:1", an id) of the daemon. Throws Error naming `label`, the daemon and
/// what it answered (no such image, cannot connect).
std::unique_ptr<ImageSource> open_daemon_image(const std::string& name, const std::string& label,
                                               const ReadOptions& ro);

}  // namespace layerdiff
