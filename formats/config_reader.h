// config_reader.h: an image config JSON document -> ImageConfig (analyzer/image_config.h).
// Lenient as runtimes are about what they do not use: a field of the wrong type is left unset
// with a warning naming it, never an error (the config was already accepted for its rootfs).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "analyzer/image_config.h"

namespace layerdiff {

/// `what` names the config in warnings ("img.tar: blobs/sha256/…").
ImageConfig parse_image_config(const boost::json::object& config, const std::string& what,
                               std::vector<std::string>& warnings);

}  // namespace layerdiff
