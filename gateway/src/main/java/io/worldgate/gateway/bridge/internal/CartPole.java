package io.worldgate.gateway.bridge.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.util.SplittableRandom;

/**
 * The classic cart-pole balancing task with Gymnasium's CartPole-v1 constants: push left (0) or
 * right (1); reward 1 per step; terminated when the pole leans past 12 degrees or the cart leaves
 * [-2.4, 2.4]; the vectorizer truncates at 500 steps. State: x, x', theta, theta'.
 */
final class CartPole implements SingleEnv {
    private static final double GRAVITY = 9.8;
    private static final double CART_MASS = 1.0;
    private static final double POLE_MASS = 0.1;
    private static final double TOTAL_MASS = CART_MASS + POLE_MASS;
    private static final double HALF_POLE_LENGTH = 0.5;
    private static final double POLE_MASS_LENGTH = POLE_MASS * HALF_POLE_LENGTH;
    private static final double FORCE = 10.0;
    private static final double DT = 0.02;
    private static final double THETA_LIMIT = 12 * 2 * Math.PI / 360;
    private static final double X_LIMIT = 2.4;

    private double x;
    private double xDot;
    private double theta;
    private double thetaDot;
    private boolean terminated;

    @Override
    public void reset(SplittableRandom rng, float[] obs) {
        x = rng.nextDouble(-0.05, 0.05);
        xDot = rng.nextDouble(-0.05, 0.05);
        theta = rng.nextDouble(-0.05, 0.05);
        thetaDot = rng.nextDouble(-0.05, 0.05);
        terminated = false;
        write(obs);
    }

    @Override
    public float step(float[] action, float[] obs) {
        double force = action[0] >= 0.5 ? FORCE : -FORCE;
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        // Equations of motion of the cart and pole (Florian 2007), integrated with explicit Euler.
        double temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp)
                / (HALF_POLE_LENGTH * (4.0 / 3.0 - POLE_MASS * cos * cos / TOTAL_MASS));
        double xAcc = temp - POLE_MASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
        x += DT * xDot;
        xDot += DT * xAcc;
        theta += DT * thetaDot;
        thetaDot += DT * thetaAcc;
        terminated = Math.abs(x) > X_LIMIT || Math.abs(theta) > THETA_LIMIT;
        write(obs);
        return 1f;
    }

    /** Puts the system in a given state; for tests that check one step by hand. */
    void setState(double x, double xDot, double theta, double thetaDot) {
        this.x = x;
        this.xDot = xDot;
        this.theta = theta;
        this.thetaDot = thetaDot;
    }

    @Override
    public boolean terminated() {
        return terminated;
    }

    /** The cart on its track, seen from the side; the track spans the allowed [-2.4, 2.4]. */
    @Override
    public boolean draw(Graphics2D g, int width, int height) {
        double scale = width / (2 * X_LIMIT * 1.1);
        int trackY = (int) (height * 0.75);
        int cartX = (int) Math.round(width / 2.0 + x * scale);
        int cartW = (int) (0.5 * scale);
        int cartH = (int) (0.3 * scale);
        g.setColor(Color.GRAY);
        g.drawLine(0, trackY, width, trackY);
        g.setColor(Color.DARK_GRAY);
        g.fillRect(cartX - cartW / 2, trackY - cartH / 2, cartW, cartH);
        double poleLength = 2 * HALF_POLE_LENGTH * scale;
        g.setColor(new Color(202, 152, 101));
        g.setStroke(new BasicStroke(Math.max(2f, (float) (0.1 * scale))));
        g.drawLine(cartX, trackY - cartH / 2, (int) Math.round(cartX + poleLength * Math.sin(theta)),
                (int) Math.round(trackY - cartH / 2.0 - poleLength * Math.cos(theta)));
        return true;
    }

    private void write(float[] obs) {
        obs[0] = (float) x;
        obs[1] = (float) xDot;
        obs[2] = (float) theta;
        obs[3] = (float) thetaDot;
    }
}
