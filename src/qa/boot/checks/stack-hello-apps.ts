/**
 * The hello-world apps the stack suite (L1, L2) runs inside a language stack image, per language and per
 * framework. They ship with the check and are written to the guest at test time, never baked into the
 * image, so an image passes only if its runtime and frameworks can serve them as they stand.
 * Every app answers GET / on 127.0.0.1:$PORT with the body `hello from <name>`.
 */
export interface HelloApp {
  /** The framework (as written in the recipe's catalog.stack.frameworks) or the standard library's server. */
  name: string;
  /** Files written to a fresh folder in the guest, by name. */
  files: Record<string, string>;
  /** Starts the server in that folder; $PORT is set. */
  start: string;
  /**
   * Seconds the server may take to answer: loading a framework or compiling under TCG emulation on a busy
   * host takes minutes (Django ~1 min at load 20 on 2 cores); only a failing app waits this long.
   */
  seconds: number;
}

export interface LanguageSpec {
  /** Prints the runtime's version (a token like 3.13.5); its exit code is part of the verdict. */
  versionCommand: string;
  /** The standard library's own HTTP server: runs in every image of the language, frameworks or not. */
  plain: HelloApp;
  frameworks: Record<string, HelloApp>;
}

const text = (name: string) => `hello from ${name}`;

// Rack 3 (Debian 13) moved the server handlers into the rackup gem; Rack 2 (Debian 12) still has them.
const RACK_SERVE = `
begin
  require 'rackup'
  HANDLER = Rackup::Handler::WEBrick
rescue LoadError
  require 'rack'
  require 'rack/handler/webrick'
  HANDLER = Rack::Handler::WEBrick
end
def serve(app) = HANDLER.run(app, Host: '127.0.0.1', Port: Integer(ENV.fetch('PORT')))
`;

export const stackSpecs: Record<string, LanguageSpec> = {
  python: {
    versionCommand: 'python3 --version',
    plain: { name: 'http.server', seconds: 180, start: 'python3 app.py', files: { 'app.py': `
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'${text('http.server')}'
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
HTTPServer(('127.0.0.1', int(os.environ['PORT'])), Hello).serve_forever()
` } },
    frameworks: {
      Django: { name: 'Django', seconds: 300, start: 'python3 app.py', files: { 'app.py': `
import os
from django.conf import settings
settings.configure(DEBUG=False, ROOT_URLCONF=__name__, ALLOWED_HOSTS=['127.0.0.1', 'localhost'], SECRET_KEY='herd-qa-not-secret')
from django.http import HttpResponse
from django.urls import path
def index(request):
    return HttpResponse('${text('Django')}')
urlpatterns = [path('', index)]
from django.core.wsgi import get_wsgi_application
from wsgiref.simple_server import make_server
make_server('127.0.0.1', int(os.environ['PORT']), get_wsgi_application()).serve_forever()
` } },
      Flask: { name: 'Flask', seconds: 300, start: 'python3 app.py', files: { 'app.py': `
import os
from flask import Flask
app = Flask(__name__)
@app.route('/')
def index():
    return '${text('Flask')}'
app.run(host='127.0.0.1', port=int(os.environ['PORT']))
` } },
      Pyramid: { name: 'Pyramid', seconds: 300, start: 'python3 app.py', files: { 'app.py': `
import os
from wsgiref.simple_server import make_server
from pyramid.config import Configurator
from pyramid.response import Response
def index(request):
    return Response('${text('Pyramid')}')
with Configurator() as config:
    config.add_route('index', '/')
    config.add_view(index, route_name='index')
    app = config.make_wsgi_app()
make_server('127.0.0.1', int(os.environ['PORT']), app).serve_forever()
` } },
    },
  },
  ruby: {
    versionCommand: "ruby -e 'puts RUBY_VERSION'",
    plain: { name: 'WEBrick', seconds: 240, start: 'ruby app.rb', files: { 'app.rb': `
require 'webrick'
server = WEBrick::HTTPServer.new(BindAddress: '127.0.0.1', Port: Integer(ENV.fetch('PORT')))
server.mount_proc('/') { |_req, res| res.body = '${text('WEBrick')}' }
server.start
` } },
    frameworks: {
      Sinatra: { name: 'Sinatra', seconds: 300, start: 'ruby app.rb', files: { 'app.rb': `
require 'sinatra/base'
class Hello < Sinatra::Base
  get('/') { '${text('Sinatra')}' }
end
${RACK_SERVE}
serve(Hello)
` } },
      Rails: { name: 'Rails', seconds: 600, start: 'ruby app.rb', files: { 'app.rb': `
require 'logger'
require 'rails'
require 'action_controller/railtie'
class HelloApp < Rails::Application
  config.root = __dir__
  config.eager_load = false
  config.logger = Logger.new($stderr)
  config.secret_key_base = 'herd-qa-not-secret'
  config.hosts.clear
end
class HelloController < ActionController::Base
  def index = render(plain: '${text('Rails')}')
end
HelloApp.initialize!
HelloApp.routes.draw { root 'hello#index' }
${RACK_SERVE}
serve(HelloApp)
` } },
    },
  },
  php: {
    versionCommand: "php -r 'echo PHP_VERSION, PHP_EOL;'",
    plain: { name: 'php -S', seconds: 180, start: 'php -S 127.0.0.1:$PORT index.php', files: { 'index.php': `<?php
echo '${text('php -S')}';
` } },
    frameworks: {
      // Symfony's HttpKernel, Routing and HttpFoundation as a front controller behind PHP's own server
      Symfony: { name: 'Symfony', seconds: 240, start: 'php -S 127.0.0.1:$PORT index.php', files: { 'index.php': `<?php
foreach (['HttpFoundation', 'Routing', 'HttpKernel', 'EventDispatcher'] as $c) require "/usr/share/php/Symfony/Component/$c/autoload.php";
use Symfony\\Component\\HttpFoundation\\{Request, RequestStack, Response};
use Symfony\\Component\\Routing\\{Matcher\\UrlMatcher, RequestContext, Route, RouteCollection};
use Symfony\\Component\\HttpKernel\\{Controller\\ArgumentResolver, Controller\\ControllerResolver, EventListener\\RouterListener, HttpKernel};
use Symfony\\Component\\EventDispatcher\\EventDispatcher;
$routes = new RouteCollection();
$routes->add('hello', new Route('/', ['_controller' => fn () => new Response('${text('Symfony')}')]));
$stack = new RequestStack();
$dispatcher = new EventDispatcher();
$dispatcher->addSubscriber(new RouterListener(new UrlMatcher($routes, new RequestContext()), $stack));
$kernel = new HttpKernel($dispatcher, new ControllerResolver(), $stack, new ArgumentResolver());
$request = Request::createFromGlobals();
$response = $kernel->handle($request);
$response->send();
$kernel->terminate($request, $response);
` } },
    },
  },
  node: {
    versionCommand: 'node -p process.versions.node',
    plain: { name: 'node:http', seconds: 180, start: 'node app.js', files: { 'app.js': `
const http = require('node:http');
http.createServer((req, res) => res.end('${text('node:http')}')).listen(Number(process.env.PORT), '127.0.0.1');
` } },
    frameworks: {
      Express: { name: 'Express', seconds: 300, start: 'node app.js', files: { 'app.js': `
const express = require('express');
const app = express();
app.get('/', (req, res) => res.send('${text('Express')}'));
app.listen(Number(process.env.PORT), '127.0.0.1');
` } },
    },
  },
  java: {
    // javac, not java: a JDK image must compile, a JRE would not
    versionCommand: 'javac --version',
    plain: { name: 'com.sun.net.httpserver', seconds: 600, start: 'java Hello.java', files: { 'Hello.java': `
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
public class Hello {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 0);
    server.createContext("/", ex -> {
      byte[] body = "${text('com.sun.net.httpserver')}".getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
  }
}
` } },
    frameworks: {},
  },
  perl: {
    versionCommand: "perl -e 'printf qq(%vd\\n), $^V'",
    plain: { name: 'IO::Socket', seconds: 180, start: 'perl app.pl', files: { 'app.pl': `
use strict; use warnings; use IO::Socket::INET;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $ENV{PORT}, Listen => 5, ReuseAddr => 1) or die $!;
while (my $c = $s->accept) {
  while (my $l = <$c>) { last if $l =~ /^\\r?$/ }
  my $b = '${text('IO::Socket')}';
  print $c "HTTP/1.0 200 OK\\r\\nContent-Length: " . length($b) . "\\r\\n\\r\\n$b";
  close $c;
}
` } },
    frameworks: {
      Mojolicious: { name: 'Mojolicious', seconds: 300, start: 'perl app.pl daemon -l http://127.0.0.1:$PORT', files: { 'app.pl': `
use Mojolicious::Lite -signatures;
get '/' => sub ($c) { $c->render(text => '${text('Mojolicious')}') };
app->start;
` } },
    },
  },
  go: {
    versionCommand: 'go env GOVERSION',
    // compiling net/http from source under emulation takes minutes; the module proxy is off (no network)
    plain: { name: 'net/http', seconds: 900, start: "CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod go run hello.go", files: { 'hello.go': `
package main

import "net/http"
import "os"

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("${text('net/http')}")) })
	panic(http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil))
}
` } },
    frameworks: {},
  },
};

export const expectedBody = text;
