# The webapp on Clever Cloud: a static front and a Node API sharing one domain (the API under
# /api), PostgreSQL and a Cellar bucket linked to the API.

terraform {
  required_providers {
    clevercloud = {
      source  = "CleverCloud/clevercloud"
      version = "~> 2.1"
    }
  }
}

provider "clevercloud" {
  organisation = var.organisation
}

resource "clevercloud_postgresql" "db" {
  name    = "webapp-db"
  plan    = "xxs_sml"
  region  = var.region
  version = "16"
}

resource "clevercloud_cellar" "media" {
  name   = "webapp-media"
  region = var.region
}

resource "clevercloud_cellar_bucket" "media" {
  id        = "webapp-media"
  cellar_id = clevercloud_cellar.media.id
}

resource "clevercloud_nodejs" "api" {
  name               = "webapp-api"
  region             = var.region
  min_instance_count = 1
  max_instance_count = 2
  smallest_flavor    = "XS"
  biggest_flavor     = "XS"
  app_folder         = "api"
  start_script       = "node server.js"
  package_manager    = "npm"
  redirect_https     = true
  dependencies       = [clevercloud_postgresql.db.id, clevercloud_cellar.media.id]
  vhosts             = [{ fqdn = var.domain, path_begin = "/api" }]

  environment = {
    CC_HEALTH_CHECK_PATH = "/api/health"
    CELLAR_BUCKET        = clevercloud_cellar_bucket.media.id
    NODE_ENV             = "production"
    SESSION_SECRET       = var.session_secret
  }
}

resource "clevercloud_static_apache" "front" {
  name               = "webapp-front"
  region             = var.region
  min_instance_count = 1
  max_instance_count = 1
  smallest_flavor    = "nano"
  biggest_flavor     = "nano"
  app_folder         = "front"
  redirect_https     = true
  vhosts             = [{ fqdn = var.domain }]

  hooks {
    pre_build = "npm run build"
  }

  environment = {
    CC_WEBROOT = "/dist"
  }
}
