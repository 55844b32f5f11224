package dev.regent.toolkit.tls;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link SSLEngine} that forwards every call to another and reports the first
 * {@link SSLException} thrown while the handshake runs (the connection then fails). Reports nothing
 * for failures after the handshake completed: those are not refusals of the peer.
 */
final class AuditedSSLEngine extends SSLEngine {

  private final SSLEngine d;
  private final Consumer<SSLException> onRefused;
  private boolean handshakeDone;
  private boolean reported;

  AuditedSSLEngine(SSLEngine delegate, Consumer<SSLException> onRefused) {
    super(delegate.getPeerHost(), delegate.getPeerPort());
    this.d = delegate;
    this.onRefused = onRefused;
  }

  private SSLEngineResult track(SSLEngineResult r) {
    if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
      handshakeDone = true;
    }
    return r;
  }

  private SSLException report(SSLException e) {
    if (!handshakeDone && !reported) {
      reported = true;
      onRefused.accept(e);
    }
    return e;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
      throws SSLException {
    try {
      return track(d.wrap(srcs, offset, length, dst));
    } catch (SSLException e) {
      throw report(e);
    }
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
      throws SSLException {
    try {
      return track(d.unwrap(src, dsts, offset, length));
    } catch (SSLException e) {
      throw report(e);
    }
  }

  @Override
  public Runnable getDelegatedTask() {
    return d.getDelegatedTask();
  }

  @Override
  public void closeInbound() throws SSLException {
    d.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return d.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    d.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return d.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return d.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return d.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    d.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return d.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return d.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    d.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return d.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return d.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    try {
      d.beginHandshake();
    } catch (SSLException e) {
      throw report(e);
    }
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return d.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    d.setUseClientMode(mode);
  }

  @Override
  public boolean getUseClientMode() {
    return d.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    d.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return d.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    d.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return d.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    d.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return d.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return d.getSSLParameters();
  }

  @Override
  public void setSSLParameters(SSLParameters params) {
    d.setSSLParameters(params);
  }

  @Override
  public String getApplicationProtocol() {
    return d.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return d.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(
      BiFunction<SSLEngine, List<String>, String> selector) {
    d.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return d.getHandshakeApplicationProtocolSelector();
  }

  @Override
  public String toString() {
    return "Audited(" + d + ")";
  }
}
