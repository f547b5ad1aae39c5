// image_ref.h: what an IMAGE argument names, in the transport syntax of skopeo and podman:
//   docker://[HOST[:PORT]/]NAME[:TAG][@sha256:HEX]   a registry
//   docker-daemon:NAME[:TAG]                        the Docker Engine API ($DOCKER_HOST)
//   docker-archive:PATH[:REF]  oci-archive:PATH[:REF]  oci:DIR[:REF]   files
//   PATH or -                                       a file, directory or standard input
// A bare argument that is an existing path is that path. One that is not, and parses as an image
// reference (and does not look like a file name: no /, ./ or ~ in front, no .tar/.gz/.zst/.tgz
// ending), is read from its registry with Docker Hub's rules for short names:
// `debian:12` = docker.io/library/debian:12.
#pragma once

#include <string>

namespace layerdiff {

struct ImageRef {
  enum Kind { Path, Registry, Daemon } kind = Path;
  // Path
  std::string path;   ///< the file or directory ("-" = standard input)
  std::string image;  ///< REF after docker-archive:PATH:REF etc. ("" = the only image)
  // Registry
  std::string registry;    ///< "docker.io", "127.0.0.1:5000", "[::1]:5000"
  std::string repository;  ///< "library/debian"
  std::string tag;         ///< "12"; "latest" when neither a tag nor a digest is given
  std::string digest;      ///< "sha256:<hex>" ("" = by tag)
  bool bare = false;       ///< given without docker:// (read from a registry because no such path)
  // Daemon
  std::string daemon_name;  ///< as the daemon names it: "app:1", "sha256:…", an id

  /// "docker.io/library/debian:12", "host/app@sha256:…" (registry references).
  std::string name() const;
  /// The registry's host for requests: docker.io is served by registry-1.docker.io.
  std::string api_host() const;
};

/// Parses an IMAGE argument (see above). Throws Error naming `arg` when it is malformed.
ImageRef parse_image_ref(const std::string& arg);

/// Parses a registry reference without the docker:// prefix ("debian:12", "host:5000/a/b@sha256:…").
/// Returns false when `s` is not one.
bool parse_registry_ref(const std::string& s, ImageRef& out, std::string* why = nullptr);

/// True for hosts a client may speak plain HTTP to: localhost, 127.0.0.0/8, ::1 (with any port).
bool is_loopback_host(const std::string& host_port);

}  // namespace layerdiff
